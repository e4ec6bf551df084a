import { BlobStore, containerClientFor } from '../../../../shared/archive/blobStore';
import { receiveJasciEvent, type IntakeDeps } from '../../../../shared/flows/shipments/intake';
import { signJasciEvent } from '../../../../shared/jasci/signature';
import { parseEnvelope } from '../../../../shared/messaging/envelope';
import { QueueSender } from '../../../../shared/messaging/queues';
import { useAzurite } from '../../../helpers/azurite';
import { receiveAll, useServiceBus } from '../../../helpers/serviceBus';
import { RecordingLogger, shipmentEvent } from './fixtures';

const serviceBus = useServiceBus();
const azurite = useAzurite();
const signingSecret = 'queue-signing-secret';

function request(body: string) {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    method: 'POST',
    headers: new Headers({
      'Content-Type': 'application/json',
      'X-Jasci-Timestamp': String(timestamp),
      'X-Jasci-Signature': signJasciEvent(signingSecret, timestamp, body),
    }),
    rawBody: Buffer.from(body),
  };
}

function deps(sender: QueueSender): IntakeDeps {
  return {
    settings: { ...azurite.settings, JASCI_WEBHOOK_SIGNING_SECRET: signingSecret },
    toBc: sender,
    log: new RecordingLogger(),
    now: () => new Date(),
  };
}

/** A queue sender for 'to-bc' and the SDK sender under it, which the test must close. */
function createSender(threshold = 196608) {
  const store = new BlobStore(containerClientFor(azurite.settings));
  const sdkSender = serviceBus.client.createSender('to-bc');
  return { sender: new QueueSender(sdkSender, store, threshold), close: () => sdkSender.close() };
}

describe('receiveJasciEvent with the Service Bus emulator', () => {
  it('has the message on the queue before answering 202', async () => {
    const { sender, close } = createSender();
    const event = shipmentEvent({ eventId: 'evt-queue-1' });

    const response = await receiveJasciEvent(deps(sender), request(JSON.stringify(event)));

    expect(response.status).toBe(202);
    expect(serviceBus.emulator.queueDepth('to-bc').active).toBe(1);
    const [message] = await receiveAll(serviceBus.client, 'to-bc', 1);
    expect(message?.messageId).toBe(`shipment.post:evt-queue-1:${event.timestamp}`);
    const parsed = parseEnvelope(message?.body);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.envelope.payload).toEqual(event);
    await close();
  });

  it('queues a repeated event once', async () => {
    const { sender, close } = createSender();
    const body = JSON.stringify(shipmentEvent({ eventId: 'evt-queue-2' }));

    const first = await receiveJasciEvent(deps(sender), request(body));
    const second = await receiveJasciEvent(deps(sender), request(body));

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(serviceBus.emulator.queueDepth('to-bc').active).toBe(1);
    await receiveAll(serviceBus.client, 'to-bc', 1);
    await close();
  });

  it('answers 503 when the sender cannot send', async () => {
    const { sender, close } = createSender();
    await close();

    const response = await receiveJasciEvent(
      deps(sender),
      request(JSON.stringify(shipmentEvent({ eventId: 'evt-queue-3' }))),
    );

    expect(response.status).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('30');
    expect(serviceBus.emulator.queueDepth('to-bc').active).toBe(0);
  });

  it('moves a large event to the claim-check store', async () => {
    const { sender, close } = createSender(1024);
    const event = { ...shipmentEvent({ eventId: 'evt-queue-4' }), notes: 'n'.repeat(4096) };

    const response = await receiveJasciEvent(deps(sender), request(JSON.stringify(event)));

    expect(response.status).toBe(202);
    const [message] = await receiveAll(serviceBus.client, 'to-bc', 1);
    const parsed = parseEnvelope(message?.body);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.envelope.payload).toBeUndefined();
    expect(parsed.ok && parsed.envelope.payloadBlob).toEqual(expect.any(String));
    await close();
  });
});
