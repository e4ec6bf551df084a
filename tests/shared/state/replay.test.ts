import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { BusinessError } from '../../../shared/errors';
import { messageIdFor, type Envelope } from '../../../shared/messaging/envelope';
import { handleFailure } from '../../../shared/messaging/failureHandling';
import { QueueSender } from '../../../shared/messaging/queues';
import { Failures } from '../../../shared/state/failures';
import { replayFailure, type ReplayDeps } from '../../../shared/state/replay';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { silentLogger } from '../../../shared/logging';
import { useAzurite } from '../../helpers/azurite';
import { receiveAll, useServiceBus } from '../../helpers/serviceBus';

const azurite = useAzurite();
const serviceBus = useServiceBus();

function envelope(documentKey: string, overrides: Partial<Envelope> = {}): Envelope {
  return {
    kind: 'salesOrder.upsert',
    documentKey,
    version: '2024-05-01T10:00:00Z',
    attempt: 3,
    firstEnqueuedAt: '2024-05-01T10:00:01.000Z',
    correlationId: `corr-${documentKey}`,
    payload: { number: documentKey, locationCode: 'EAST' },
    ...overrides,
  };
}

describe('replayFailure', () => {
  let store: BlobStore;
  let failures: Failures;
  let deps: ReplayDeps;
  const threshold = 196_608;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    store = new BlobStore(containerClientFor(azurite.settings));
    failures = new Failures(tableClientFor(azurite.settings, TableName.Failures));
    const senders = {
      toJasci: new QueueSender(serviceBus.client.createSender('to-jasci'), store, threshold),
      toBc: new QueueSender(serviceBus.client.createSender('to-bc'), store, threshold),
    };
    deps = {
      failures,
      archive: store,
      senderFor: (kind) => (kind.endsWith('.post') ? senders.toBc : senders.toJasci),
    };
  });

  /** Parks `failed` through handleFailure, as a worker would, and returns the failure id. */
  async function park(failed: Envelope): Promise<string> {
    await handleFailure(
      {
        retrySender: deps.senderFor(failed.kind),
        failures,
        archive: store,
        alerter: { alert: async () => undefined },
        retryDelaysSeconds: [60],
        log: silentLogger,
      },
      'salesOrders',
      failed,
      new BusinessError('UNMAPPED_LOCATION', 'Location EAST has no warehouse'),
    );
    const record = (await failures.list()).find((f) => f.documentKey === failed.documentKey);
    if (record === undefined) throw new Error(`no failure recorded for ${failed.documentKey}`);
    return record.id;
  }

  it('sends the archived message again at attempt 1', async () => {
    const failed = envelope('SO-replay');
    const id = await park(failed);

    const sent = await replayFailure(deps, id);

    const [message] = await receiveAll(serviceBus.client, 'to-jasci', 1);
    const body = message?.body as Envelope;
    expect(body.attempt).toBe(1);
    expect(body.documentKey).toBe('SO-replay');
    expect(body.version).toBe(failed.version);
    expect(body.payload).toEqual(failed.payload);
    expect(body.replay).toEqual(expect.any(String));
    expect(message?.messageId).toBe(messageIdFor(sent));
    expect(message?.messageId).not.toBe(messageIdFor({ ...failed, attempt: 1 }));
  });

  it('marks the failure replayed', async () => {
    const id = await park(envelope('SO-status'));
    await replayFailure(deps, id);
    await receiveAll(serviceBus.client, 'to-jasci', 1);
    await expect(failures.get(id)).resolves.toMatchObject({ status: 'replayed' });
  });

  it('gives each replay its own message id', async () => {
    const id = await park(envelope('SO-twice'));
    const first = await replayFailure(deps, id);
    const second = await replayFailure(deps, id);
    const received = await receiveAll(serviceBus.client, 'to-jasci', 2);
    expect(messageIdFor(first)).not.toBe(messageIdFor(second));
    expect(received).toHaveLength(2);
  });

  it('applies an edit before sending', async () => {
    const id = await park(envelope('SO-edit'));
    await replayFailure(deps, id, (e) => ({
      ...e,
      payload: { number: 'SO-edit', locationCode: 'WEST' },
    }));
    const [message] = await receiveAll(serviceBus.client, 'to-jasci', 1);
    expect((message?.body as Envelope).payload).toEqual({
      number: 'SO-edit',
      locationCode: 'WEST',
    });
  });

  it('keeps the replay marker when the edit drops it', async () => {
    const id = await park(envelope('SO-drop-marker'));
    const sent = await replayFailure(deps, id, ({ replay: _replay, ...rest }) => rest);
    expect(sent.replay).toEqual(expect.any(String));
    await receiveAll(serviceBus.client, 'to-jasci', 1);
  });

  it('rejects an edit that makes the envelope invalid', async () => {
    const id = await park(envelope('SO-bad-edit'));
    await expect(replayFailure(deps, id, (e) => ({ ...e, documentKey: '' }))).rejects.toThrow(
      /documentKey/,
    );
    await expect(failures.get(id)).resolves.toMatchObject({ status: 'open' });
  });

  it('routes inbound kinds to their queue', async () => {
    const id = await park(envelope('SH-inbound', { kind: 'shipment.post' }));
    await replayFailure(deps, id);
    const [message] = await receiveAll(serviceBus.client, 'to-bc', 1);
    expect((message?.body as Envelope).documentKey).toBe('SH-inbound');
  });

  it('rejects an unknown failure id', async () => {
    await expect(replayFailure(deps, '0-missing')).rejects.toThrow(/not found/);
  });
});
