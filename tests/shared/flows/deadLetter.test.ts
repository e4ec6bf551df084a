import type { Alerter } from '../../../shared/alerts/alert';
import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { handleDeadLetter, type DeadLetterDeps } from '../../../shared/flows/deadLetter';
import type { Envelope } from '../../../shared/messaging/envelope';
import { Failures, type FailureRecord } from '../../../shared/state/failures';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';
import { RecordingLogger } from './shipments/fixtures';

const azurite = useAzurite();
const now = new Date('2026-12-03T11:00:00Z');

class RecordingAlerter implements Alerter {
  readonly alerted: FailureRecord[] = [];
  failWith: Error | undefined;

  async alert(failure: FailureRecord): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.alerted.push(failure);
  }
}

const envelope: Envelope = {
  kind: 'shipment.post',
  documentKey: 'evt-7001',
  version: '2026-12-03T09:58:00Z',
  attempt: 2,
  firstEnqueuedAt: '2026-12-03T09:58:01.000Z',
  correlationId: 'corr-7001',
  payload: { event: 'shipment.closed', erpOrderNumber: 'SO-104317' },
};

describe('handleDeadLetter', () => {
  let failures: Failures;
  let archive: BlobStore;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    failures = new Failures(tableClientFor(azurite.settings, TableName.Failures));
    archive = new BlobStore(containerClientFor(azurite.settings));
  });

  function deps(alerter: Alerter, log = new RecordingLogger()): DeadLetterDeps {
    return { failures, archive, alerter, log, now: () => now };
  }

  it('archives, records and alerts an envelope', async () => {
    const alerter = new RecordingAlerter();

    const record = await handleDeadLetter(deps(alerter), 'to-bc', {
      body: envelope,
      messageId: 'shipment.post:evt-7001:2026-12-03T09:58:00Z',
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterErrorDescription: 'Message could not be consumed after 5 delivery attempts.',
      deliveryCount: 5,
    });

    expect(record.category).toBe('poison');
    expect(record.code).toBe('DEAD_LETTERED');
    expect(record.flow).toBe('shipments');
    expect(record.kind).toBe('shipment.post');
    expect(record.documentKey).toBe('evt-7001');
    expect(record.attempt).toBe(2);
    expect(record.correlationId).toBe('corr-7001');
    expect(record.message).toContain('MaxDeliveryCountExceeded');
    expect(record.message).toContain('after 5 delivery attempts');
    expect(record.blobName).toBe(
      'dead-letter/to-bc/2026-12-03/shipment.post:evt-7001:2026-12-03T09:58:00Z.json',
    );
    await expect(failures.get(record.id)).resolves.toMatchObject({ code: 'DEAD_LETTERED' });
    const archived = await archive.getJson<Record<string, unknown>>(record.blobName);
    expect(archived.envelope).toEqual(envelope);
    expect(archived.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(archived.deliveryCount).toBe(5);
    expect(alerter.alerted.map((failure) => failure.id)).toEqual([record.id]);
  });

  it('reads an envelope sent as JSON bytes', async () => {
    const alerter = new RecordingAlerter();
    const body = Buffer.from(JSON.stringify({ ...envelope, documentKey: 'evt-7002' }));

    const record = await handleDeadLetter(deps(alerter), 'to-bc', { body, messageId: 'm-7002' });

    expect(record.documentKey).toBe('evt-7002');
    expect(record.kind).toBe('shipment.post');
  });

  it.each([
    ['text that is not JSON', 'not json {', 'body is not JSON'],
    ['JSON that is not an envelope', { hello: 'world' }, 'body is not a valid envelope'],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'body is not'],
    ['no body', undefined, 'body is not a valid envelope'],
  ])('keeps %s as it came', async (_case, body, problem) => {
    const alerter = new RecordingAlerter();

    const record = await handleDeadLetter(deps(alerter), 'to-jasci', {
      body,
      messageId: `raw-${_case.length}`,
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deliveryCount: 5,
    });

    expect(record.kind).toBe('unknown');
    expect(record.flow).toBe('to-jasci');
    expect(record.documentKey).toBe(`raw-${_case.length}`);
    expect(record.attempt).toBe(5);
    expect(record.message).toContain(problem);
    const archived = await archive.getJson<Record<string, unknown>>(record.blobName);
    expect(archived.envelope).toBeUndefined();
    expect(archived.bodyProblem).toContain(problem);
    expect(alerter.alerted).toHaveLength(1);
  });

  it('archives bytes that are not UTF-8 as base64', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);

    const record = await handleDeadLetter(deps(new RecordingAlerter()), 'to-bc', {
      body: bytes,
      messageId: 'binary-1',
    });

    const archived = await archive.getJson<{ body: { base64: string } }>(record.blobName);
    expect(Buffer.from(archived.body.base64, 'base64')).toEqual(bytes);
  });

  it('names a message without id and keeps it out of folders', async () => {
    const record = await handleDeadLetter(deps(new RecordingAlerter()), 'to-bc', {
      body: 'x',
    });

    expect(record.blobName).toMatch(
      /^dead-letter\/to-bc\/2026-12-03\/unidentified-[0-9a-f-]+\.json$/,
    );
    const slashed = await handleDeadLetter(deps(new RecordingAlerter()), 'to-bc', {
      body: 'x',
      messageId: 'a/b\\c',
    });
    expect(slashed.blobName).toBe('dead-letter/to-bc/2026-12-03/a_b_c.json');
  });

  it('returns the record when the alert fails', async () => {
    const alerter = new RecordingAlerter();
    alerter.failWith = new Error('mail service unavailable');
    const log = new RecordingLogger();

    const record = await handleDeadLetter(deps(alerter, log), 'to-bc', {
      body: { ...envelope, documentKey: 'evt-7003' },
      messageId: 'm-7003',
    });

    expect(record.documentKey).toBe('evt-7003');
    expect(log.messages('error')).toContain('Alert for dead-lettered message failed');
  });
  it('logs the ConnectorFailure line alerts count', async () => {
    const log = new RecordingLogger();

    await handleDeadLetter(deps(new RecordingAlerter(), log), 'to-bc', {
      body: { ...envelope, documentKey: 'evt-7004' },
      messageId: 'm-7004',
      deadLetterReason: 'MaxDeliveryCountExceeded',
    });

    expect(log.messages('error')).toContain('ConnectorFailure');
  });
});
