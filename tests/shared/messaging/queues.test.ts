import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { resolvePayload } from '../../../shared/messaging/claimCheck';
import { messageIdFor, parseEnvelope, type Envelope } from '../../../shared/messaging/envelope';
import { QueueSender, serviceBusClientFor } from '../../../shared/messaging/queues';
import { useAzurite } from '../../helpers/azurite';
import { receiveAll, useServiceBus } from '../../helpers/serviceBus';

const azurite = useAzurite();
const serviceBus = useServiceBus();

function envelope(documentKey: string, payload: unknown = { number: documentKey }): Envelope {
  return {
    kind: 'salesOrder.upsert',
    documentKey,
    version: '2024-05-01T10:00:00Z',
    attempt: 1,
    firstEnqueuedAt: '2024-05-01T10:00:01.000Z',
    correlationId: `corr-${documentKey}`,
    payload,
  };
}

/** A payload whose JSON is about `bytes` long. */
function payloadOfSize(bytes: number) {
  return { filler: 'x'.repeat(bytes) };
}

describe('QueueSender', () => {
  let store: BlobStore;
  let sender: QueueSender;
  const threshold = 196_608;

  beforeAll(() => {
    store = new BlobStore(containerClientFor(azurite.settings));
    sender = new QueueSender(serviceBus.client.createSender('to-jasci'), store, threshold);
  });

  it('sends the envelope as JSON with its message properties', async () => {
    const sent = envelope('SO-props');
    await sender.send(sent);
    const [message] = await receiveAll(serviceBus.client, 'to-jasci', 1);
    expect(message?.body).toEqual(sent);
    expect(message?.contentType).toBe('application/json');
    expect(message?.messageId).toBe('salesOrder.upsert:SO-props:2024-05-01T10:00:00Z');
    expect(message?.correlationId).toBe('corr-SO-props');
    expect(message?.subject).toBe('salesOrder.upsert');
    expect(message?.applicationProperties).toEqual({
      kind: 'salesOrder.upsert',
      documentKey: 'SO-props',
      attempt: 1,
    });
  });

  it('moves a payload above the threshold to a blob and back', async () => {
    const payload = payloadOfSize(threshold + 1000);
    await sender.send(envelope('SO/big', payload));
    const [message] = await receiveAll(serviceBus.client, 'to-jasci', 1);
    const parsed = parseEnvelope(message?.body);
    if (!parsed.ok) throw new Error(parsed.problem);

    expect(parsed.envelope.payload).toBeUndefined();
    expect(parsed.envelope.payloadBlob).toMatch(
      /^claim-check\/salesOrder\.upsert\/SO%2Fbig\/2024-05-01T10%3A00%3A00Z-[0-9a-f]{64}\.json$/,
    );
    await expect(resolvePayload(parsed.envelope, store)).resolves.toEqual(payload);
  });

  it('keeps a payload at the threshold inline', async () => {
    const small = envelope('SO-small', { a: 1 });
    const inline = new QueueSender(
      serviceBus.client.createSender('to-jasci'),
      store,
      Buffer.byteLength(JSON.stringify(small)),
    );
    await inline.send(small);
    const [message] = await receiveAll(serviceBus.client, 'to-jasci', 1);
    expect((message?.body as Envelope).payload).toEqual({ a: 1 });
    expect((message?.body as Envelope).payloadBlob).toBeUndefined();
  });

  it('splits a batch that exceeds the message size limit', async () => {
    const underlying = serviceBus.client.createSender('to-jasci');
    const sendSpy = jest.spyOn(underlying, 'sendMessages');
    const batchSender = new QueueSender(underlying, store, threshold);
    const envelopes = ['B-1', 'B-2', 'B-3', 'B-4', 'B-5'].map((key) =>
      envelope(key, payloadOfSize(90_000)),
    );

    await batchSender.sendBatch(envelopes);

    expect(sendSpy.mock.calls.length).toBeGreaterThan(1);
    const received = await receiveAll(serviceBus.client, 'to-jasci', 5);
    const ids = received.map((m) => m.messageId).sort();
    expect(ids).toEqual(envelopes.map((e) => messageIdFor(e)).sort());
    await underlying.close();
  });

  it('sends a small batch in one call', async () => {
    const underlying = serviceBus.client.createSender('to-jasci');
    const sendSpy = jest.spyOn(underlying, 'sendMessages');
    await new QueueSender(underlying, store, threshold).sendBatch([
      envelope('S-1'),
      envelope('S-2'),
    ]);
    expect(sendSpy).toHaveBeenCalledTimes(1);
    const received = await receiveAll(serviceBus.client, 'to-jasci', 2);
    expect(received).toHaveLength(2);
    await underlying.close();
  });

  it('sends nothing for an empty batch', async () => {
    const underlying = serviceBus.client.createSender('to-jasci');
    const sendSpy = jest.spyOn(underlying, 'sendMessages');
    await new QueueSender(underlying, store, threshold).sendBatch([]);
    expect(sendSpy).not.toHaveBeenCalled();
    await underlying.close();
  });

  it('schedules a message for later', async () => {
    const at = new Date(Date.now() + 10 * 60_000);
    const scheduled = { ...envelope('SO-later'), attempt: 2 };
    await sender.schedule(scheduled, at);
    const receiver = serviceBus.client.createReceiver('to-jasci');
    const peeked = await receiver.peekMessages(10);
    await receiver.close();
    const message = peeked.find((m) => m.messageId === messageIdFor(scheduled));
    expect(message?.scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
    expect(message?.applicationProperties?.attempt).toBe(2);
    expect(serviceBus.emulator.queueDepth('to-jasci').scheduled).toBe(1);
  });
});

describe('serviceBusClientFor', () => {
  it('connects with the connection string', async () => {
    const client = serviceBusClientFor({
      ServiceBusConnection: serviceBus.connectionString,
      ServiceBusConnection__fullyQualifiedNamespace: undefined,
      AZURE_CLIENT_ID: undefined,
    });
    const sender = client.createSender('to-bc');
    await sender.sendMessages({ body: { ping: true }, messageId: 'ping-1' });
    const [message] = await receiveAll(serviceBus.client, 'to-bc', 1);
    expect(message?.body).toEqual({ ping: true });
    await client.close();
  });

  it('uses the namespace without a connection string', async () => {
    const client = serviceBusClientFor({
      ServiceBusConnection: undefined,
      ServiceBusConnection__fullyQualifiedNamespace: 'example.servicebus.windows.net',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000000aa',
    });
    expect(client.fullyQualifiedNamespace).toBe('example.servicebus.windows.net');
    await client.close();
  });
});
