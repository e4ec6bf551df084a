import { LogAlerter, type Alerter } from '../../../shared/alerts/alert';
import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import type { ArchivedFailure } from '../../../shared/archive/failureArchive';
import { BusinessError, TransientError } from '../../../shared/errors';
import { messageIdFor, type Envelope } from '../../../shared/messaging/envelope';
import { handleFailure, type FailureDeps } from '../../../shared/messaging/failureHandling';
import { QueueSender } from '../../../shared/messaging/queues';
import { Failures } from '../../../shared/state/failures';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';
import { useServiceBus } from '../../helpers/serviceBus';
import { captureLogger } from './captureLogger';

const azurite = useAzurite();
const serviceBus = useServiceBus();

function envelope(documentKey: string, overrides: Partial<Envelope> = {}): Envelope {
  return {
    kind: 'shipment.post',
    documentKey,
    version: '2024-05-01T10:00:00Z',
    attempt: 1,
    firstEnqueuedAt: '2024-05-01T10:00:01.000Z',
    correlationId: `corr-${documentKey}`,
    payload: { shipmentNumber: documentKey, lines: [{ lineNumber: 10000, quantity: 3 }] },
    ...overrides,
  };
}

describe('handleFailure', () => {
  // A fixed instant ahead of the real clock keeps scheduled copies waiting during the test.
  const now = new Date(Date.now() + 60 * 60_000);
  let log: ReturnType<typeof captureLogger>;
  let deps: FailureDeps;
  let alerted: string[];

  beforeAll(async () => {
    await ensureTables(azurite.settings);
  });

  beforeEach(() => {
    log = captureLogger();
    alerted = [];
    const store = new BlobStore(containerClientFor(azurite.settings));
    const alerter: Alerter = {
      alert: async (failure) => {
        alerted.push(failure.id);
      },
    };
    deps = {
      retrySender: new QueueSender(serviceBus.client.createSender('to-bc'), store, 196_608),
      failures: new Failures(tableClientFor(azurite.settings, TableName.Failures), () => now),
      archive: store,
      alerter,
      retryDelaysSeconds: [60, 300, 900],
      log,
      now: () => now,
      jitter: () => 0,
    };
  });

  async function peekScheduled(messageId: string) {
    const receiver = serviceBus.client.createReceiver('to-bc');
    const peeked = await receiver.peekMessages(50);
    await receiver.close();
    return peeked.find((m) => m.messageId === messageId);
  }

  it('schedules a copy with the next attempt for a transient error', async () => {
    const failed = envelope('SH-transient');
    const error = new TransientError('SERVER_ERROR', 'BC returned 503');

    await expect(handleFailure(deps, 'shipments', failed, error)).resolves.toBe('retried');

    const copy = { ...failed, attempt: 2 };
    const scheduled = await peekScheduled(messageIdFor(copy));
    expect(scheduled?.body).toEqual(copy);
    expect(scheduled?.scheduledEnqueueTimeUtc?.getTime()).toBe(now.getTime() + 60_000);
    expect(alerted).toEqual([]);
  });

  it('spreads a retry by the jitter', async () => {
    const failed = envelope('SH-jitter');
    const error = new TransientError('SERVER_ERROR', 'BC returned 503');

    await handleFailure({ ...deps, jitter: () => 0.5 }, 'shipments', failed, error);

    const scheduled = await peekScheduled(messageIdFor({ ...failed, attempt: 2 }));
    // Half of the 20% maximum: 60 s plus 6 s.
    expect(scheduled?.scheduledEnqueueTimeUtc?.getTime()).toBe(now.getTime() + 66_000);
  });

  it('logs the failure and the due time of the retry', async () => {
    const failed = envelope('SH-logged', { attempt: 2 });
    await handleFailure(deps, 'shipments', failed, new TransientError('TIMEOUT', 'timed out'));

    const failure = log.entries.find((e) => e.message === 'Message processing failed');
    expect(failure?.fields).toMatchObject({
      flow: 'shipments',
      kind: 'shipment.post',
      documentKey: 'SH-logged',
      attempt: 2,
      correlationId: 'corr-SH-logged',
      code: 'TIMEOUT',
      category: 'transient',
    });
    const retry = log.entries.find((e) => e.message === 'Retry scheduled');
    expect(retry?.fields.dueAt).toBe(new Date(now.getTime() + 300_000).toISOString());
    expect(retry?.fields.nextAttempt).toBe(3);
  });

  it('honours a longer Retry-After', async () => {
    const failed = envelope('SH-retry-after');
    const error = new TransientError('THROTTLED', 'HTTP 429', { retryAfterMs: 600_000 });
    await handleFailure(deps, 'shipments', failed, error);
    const scheduled = await peekScheduled(messageIdFor({ ...failed, attempt: 2 }));
    expect(scheduled?.scheduledEnqueueTimeUtc?.getTime()).toBe(now.getTime() + 600_000);
  });

  it('parks a message after the last retry', async () => {
    const failed = envelope('SH-exhausted', { attempt: 4 });
    const error = new TransientError('SERVER_ERROR', 'BC returned 503');

    await expect(handleFailure(deps, 'shipments', failed, error)).resolves.toBe('exhausted');

    const [record] = await deps.failures
      .list({ flow: 'shipments', status: 'open' })
      .then((all) => all.filter((f) => f.documentKey === 'SH-exhausted'));
    expect(record?.code).toBe('RETRIES_EXHAUSTED');
    expect(record?.category).toBe('transient');
    expect(record?.attempt).toBe(4);
    expect(record?.message).toContain('SERVER_ERROR');
    expect(alerted).toEqual([record?.id]);
    expect(await peekScheduled(messageIdFor({ ...failed, attempt: 5 }))).toBeUndefined();
    const archived = await deps.archive.getJson<ArchivedFailure>(record?.blobName ?? '');
    expect(archived.error.details).toMatchObject({ lastCode: 'SERVER_ERROR' });
  });

  it('archives and records a business error', async () => {
    const failed = envelope('SH-business', { attempt: 2 });
    const error = new BusinessError('UNKNOWN_ITEM', 'Item 1000 does not exist in BC', {
      details: { item: '1000' },
    });

    await expect(handleFailure(deps, 'shipments', failed, error)).resolves.toBe('business');

    const records = await deps.failures.list({ flow: 'shipments' });
    const record = records.find((f) => f.documentKey === 'SH-business');
    expect(record).toMatchObject({
      kind: 'shipment.post',
      category: 'business',
      code: 'UNKNOWN_ITEM',
      message: 'Item 1000 does not exist in BC',
      attempt: 2,
      correlationId: 'corr-SH-business',
      status: 'open',
    });
    const day = now.toISOString().slice(0, 10);
    expect(record?.blobName).toBe(
      `failures/shipments/${day}/${encodeURIComponent(messageIdFor(failed))}.json`,
    );
    const archived = await deps.archive.getJson<ArchivedFailure>(record?.blobName ?? '');
    expect(archived.envelope).toEqual(failed);
    expect(archived.error).toEqual({
      code: 'UNKNOWN_ITEM',
      category: 'business',
      message: 'Item 1000 does not exist in BC',
      details: { item: '1000' },
    });
    expect(archived.attempt).toBe(2);
    expect(alerted).toEqual([record?.id]);
  });

  it('logs ConnectorFailure for a business error', async () => {
    const failed = envelope('SH-alert-log');
    await handleFailure(deps, 'shipments', failed, new BusinessError('UNKNOWN_ITEM', 'unknown'));
    const line = log.entries.find((e) => e.message === 'ConnectorFailure');
    expect(line?.level).toBe('error');
    expect(line?.fields).toMatchObject({
      flow: 'shipments',
      code: 'UNKNOWN_ITEM',
      category: 'business',
      documentKey: 'SH-alert-log',
      attempt: 1,
      correlationId: 'corr-SH-alert-log',
    });
    expect(JSON.stringify(line?.fields)).not.toContain('lineNumber');
  });

  it('archives a claim-checked payload inline', async () => {
    const payload = { shipmentNumber: 'SH-claim', filler: 'x'.repeat(1000) };
    const blobName = await deps.archive.putJson('claim-check/test/SH-claim.json', payload);
    const failed = envelope('SH-claim', { payload: undefined, payloadBlob: blobName });

    await handleFailure(deps, 'shipments', failed, new BusinessError('UNKNOWN_ORDER', 'unknown'));

    const record = (await deps.failures.list()).find((f) => f.documentKey === 'SH-claim');
    const archived = await deps.archive.getJson<ArchivedFailure>(record?.blobName ?? '');
    expect(archived.envelope.payload).toEqual(payload);
    expect(archived.envelope.payloadBlob).toBeUndefined();
  });

  it('re-throws an unknown error', async () => {
    const crash = new TypeError('cannot read properties of undefined');
    await expect(handleFailure(deps, 'shipments', envelope('SH-crash'), crash)).rejects.toBe(crash);
    const records = await deps.failures.list();
    expect(records.find((f) => f.documentKey === 'SH-crash')).toBeUndefined();
  });

  it('completes the handling when the alert fails', async () => {
    deps.alerter = {
      alert: async () => {
        throw new Error('mail server down');
      },
    };
    const outcome = await handleFailure(
      deps,
      'shipments',
      envelope('SH-alert-down'),
      new BusinessError('UNKNOWN_ITEM', 'unknown'),
    );
    expect(outcome).toBe('business');
    expect(log.entries.some((e) => e.message === 'Alert failed')).toBe(true);
  });

  it('works with the log alerter', async () => {
    deps.alerter = new LogAlerter(log);
    await handleFailure(
      deps,
      'shipments',
      envelope('SH-log-alerter'),
      new BusinessError('UNKNOWN_ITEM', 'x'),
    );
    const alert = log.entries.find((e) => e.message === 'Connector failure alert');
    expect(alert?.fields).toMatchObject({ flow: 'shipments', documentKey: 'SH-log-alerter' });
  });
});
