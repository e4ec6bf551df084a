import { signJasciEvent } from '../../../../shared/jasci/signature';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { messageIdFor } from '../../../../shared/messaging/envelope';
import {
  describeJsonError,
  receiveJasciEvent,
  type IntakeDeps,
  type IntakeRequest,
} from '../../../../shared/flows/shipments/intake';
import { testSettings } from '../../../helpers/azurite';
import { omit, RecordingLogger, shipmentEvent } from './fixtures';

const signingSecret = 'intake-signing-secret';
const sharedSecret = 'intake-shared-secret';
const now = new Date('2026-12-03T10:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

/** A queue sender double that keeps what it was given, or fails like an unreachable namespace. */
class FakeSender {
  readonly sent: Envelope[] = [];
  failWith: Error | undefined;

  async send(envelope: Envelope): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push(envelope);
  }
}

function setup(settingsOverrides: Record<string, string | undefined> = {}) {
  const sender = new FakeSender();
  const log = new RecordingLogger();
  const deps: IntakeDeps = {
    settings: testSettings({
      JASCI_WEBHOOK_SIGNING_SECRET: signingSecret,
      JASCI_WEBHOOK_MAX_BODY_BYTES: '2048',
      ...settingsOverrides,
    }),
    toBc: sender,
    log,
    now: () => now,
  };
  return { sender, log, deps };
}

function signedRequest(
  body: string | Buffer,
  overrides: { method?: string; headers?: Record<string, string>; timestamp?: number } = {},
): IntakeRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const timestamp = overrides.timestamp ?? nowSeconds;
  return {
    method: overrides.method ?? 'POST',
    headers: new Headers({
      'Content-Type': 'application/json',
      'X-Jasci-Timestamp': String(timestamp),
      'X-Jasci-Signature': signJasciEvent(signingSecret, timestamp, rawBody),
      ...overrides.headers,
    }),
    rawBody,
  };
}

function errorOf(body: unknown): { code: string; message: string; field?: string } {
  return (body as { error: { code: string; message: string; field?: string } }).error;
}

describe('receiveJasciEvent', () => {
  it('queues a signed shipment event and answers 202', async () => {
    const { deps, sender } = setup();
    const event = shipmentEvent({ eventId: 'evt-1001' });

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ status: 'accepted', eventId: 'evt-1001' });
    expect(sender.sent).toHaveLength(1);
    const envelope = sender.sent[0]!;
    expect(envelope.kind).toBe('shipment.post');
    expect(envelope.documentKey).toBe('evt-1001');
    expect(envelope.version).toBe(event.timestamp);
    expect(envelope.attempt).toBe(1);
    expect(envelope.firstEnqueuedAt).toBe(now.toISOString());
    expect(envelope.payload).toEqual(event);
    expect(messageIdFor(envelope)).toBe(`shipment.post:evt-1001:${event.timestamp}`);
  });

  it('keeps unknown event fields in the payload', async () => {
    const { deps, sender } = setup();
    const event = { ...shipmentEvent(), packageCount: 3, dock: { door: 'D4' } };

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    expect(response.status).toBe(202);
    expect(sender.sent[0]?.payload).toMatchObject({ packageCount: 3, dock: { door: 'D4' } });
  });

  it('keys an event without eventId by the SHA-256 of its body', async () => {
    const { deps, sender } = setup();
    const event = omit(shipmentEvent(), 'eventId');
    const body = JSON.stringify(event);

    const first = await receiveJasciEvent(deps, signedRequest(body));
    const again = await receiveJasciEvent(deps, signedRequest(body));

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    const keys = sender.sent.map((envelope) => envelope.documentKey);
    expect(keys[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(messageIdFor(sender.sent[1]!)).toBe(messageIdFor(sender.sent[0]!));
  });

  it('keys a reformatted resend like the original', async () => {
    const { deps, sender } = setup();
    const event = omit(shipmentEvent(), 'eventId');
    const reordered = Object.fromEntries(Object.entries(event).reverse());

    await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));
    await receiveJasciEvent(deps, signedRequest(JSON.stringify(reordered, null, 2)));

    const keys = sender.sent.map((envelope) => envelope.documentKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('keys events with different content apart', async () => {
    const { deps, sender } = setup();
    const event = omit(shipmentEvent(), 'eventId');

    await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));
    await receiveJasciEvent(
      deps,
      signedRequest(
        JSON.stringify({ ...event, shipmentNumber: `${String(event.shipmentNumber)}-2` }),
      ),
    );

    const keys = sender.sent.map((envelope) => envelope.documentKey);
    expect(keys[1]).not.toBe(keys[0]);
  });

  it('answers 202 ignored for other event names without queueing', async () => {
    const { deps, sender, log } = setup();
    const body = JSON.stringify({
      event: 'inventory.updated',
      eventId: 'evt-inv-1',
      timestamp: '2026-12-03T09:59:00Z',
    });

    const response = await receiveJasciEvent(deps, signedRequest(body));

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ status: 'ignored', event: 'inventory.updated' });
    expect(sender.sent).toHaveLength(0);
    expect(log.messages('info')).toContain('JASCI event ignored');
  });

  it('rejects methods other than POST with 405', async () => {
    const { deps, sender } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest(JSON.stringify(shipmentEvent()), { method: 'GET' }),
    );

    expect(response.status).toBe(405);
    expect(errorOf(response.body).code).toBe('METHOD_NOT_ALLOWED');
    expect(response.headers).toEqual({ Allow: 'POST' });
    expect(sender.sent).toHaveLength(0);
  });

  it.each([
    ['text/plain', 'Content-Type text/plain is not supported'],
    ['application/json; charset=iso-8859-1', 'charset iso-8859-1 is not supported'],
  ])('rejects Content-Type %s with 415', async (contentType, message) => {
    const { deps } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest(JSON.stringify(shipmentEvent()), { headers: { 'Content-Type': contentType } }),
    );

    expect(response.status).toBe(415);
    expect(errorOf(response.body).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(errorOf(response.body).message).toContain(message);
  });

  it('rejects a missing Content-Type with 415', async () => {
    const { deps } = setup();
    const request = signedRequest(JSON.stringify(shipmentEvent()));
    const headers = new Headers(request.headers as Headers);
    headers.delete('Content-Type');

    const response = await receiveJasciEvent(deps, { ...request, headers });

    expect(response.status).toBe(415);
    expect(errorOf(response.body).message).toContain('Content-Type is missing');
  });

  it('accepts application/json with a UTF-8 charset', async () => {
    const { deps } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest(JSON.stringify(shipmentEvent()), {
        headers: { 'Content-Type': 'Application/JSON; charset=UTF-8' },
      }),
    );

    expect(response.status).toBe(202);
  });

  it('rejects a declared Content-Length above the maximum with 413', async () => {
    const { deps, sender } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest(JSON.stringify(shipmentEvent()), { headers: { 'Content-Length': '4096' } }),
    );

    expect(response.status).toBe(413);
    expect(errorOf(response.body).code).toBe('PAYLOAD_TOO_LARGE');
    expect(errorOf(response.body).message).toContain('Content-Length 4096');
    expect(sender.sent).toHaveLength(0);
  });

  it('rejects a body above the maximum with 413 despite a small Content-Length', async () => {
    const { deps, sender } = setup();
    const event = { ...shipmentEvent(), notes: 'x'.repeat(3000) };
    const body = JSON.stringify(event);

    const response = await receiveJasciEvent(
      deps,
      signedRequest(body, { headers: { 'Content-Length': '100' } }),
    );

    expect(response.status).toBe(413);
    expect(errorOf(response.body).message).toContain(`body of ${Buffer.byteLength(body)} bytes`);
    expect(sender.sent).toHaveLength(0);
  });

  it('rejects a missing signature with 401', async () => {
    const { deps, sender } = setup();
    const request = signedRequest(JSON.stringify(shipmentEvent()));
    const headers = new Headers(request.headers as Headers);
    headers.delete('X-Jasci-Signature');

    const response = await receiveJasciEvent(deps, { ...request, headers });

    expect(response.status).toBe(401);
    expect(errorOf(response.body).code).toBe('UNAUTHORIZED');
    expect(errorOf(response.body).message).toContain('X-Jasci-Signature');
    expect(sender.sent).toHaveLength(0);
  });

  it('rejects a signature made with another secret with 401', async () => {
    const { deps } = setup();
    const body = JSON.stringify(shipmentEvent());

    const response = await receiveJasciEvent(
      deps,
      signedRequest(body, {
        headers: { 'X-Jasci-Signature': signJasciEvent('wrong-secret', nowSeconds, body) },
      }),
    );

    expect(response.status).toBe(401);
    expect(errorOf(response.body).message).toContain('does not match');
  });

  it('rejects a body changed after signing with 401', async () => {
    const { deps } = setup();
    const signed = signedRequest(JSON.stringify(shipmentEvent()));
    const tampered = Buffer.from(JSON.stringify(shipmentEvent({ shipmentNumber: 'SH-9999' })));

    const response = await receiveJasciEvent(deps, { ...signed, rawBody: tampered });

    expect(response.status).toBe(401);
  });

  it('rejects an expired timestamp with 401', async () => {
    const { deps } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest(JSON.stringify(shipmentEvent()), { timestamp: nowSeconds - 301 }),
    );

    expect(response.status).toBe(401);
    expect(errorOf(response.body).message).toContain('X-Jasci-Timestamp');
  });

  describe('with a shared secret instead of a signing secret', () => {
    const sharedSettings = {
      JASCI_WEBHOOK_SIGNING_SECRET: undefined,
      JASCI_WEBHOOK_SHARED_SECRET: sharedSecret,
    };

    function sharedRequest(secret?: string): IntakeRequest {
      const headers = new Headers({ 'Content-Type': 'application/json' });
      if (secret !== undefined) headers.set('X-Jasci-Shared-Secret', secret);
      return { method: 'POST', headers, rawBody: Buffer.from(JSON.stringify(shipmentEvent())) };
    }

    it('accepts the matching secret', async () => {
      const { deps, sender } = setup(sharedSettings);

      const response = await receiveJasciEvent(deps, sharedRequest(sharedSecret));

      expect(response.status).toBe(202);
      expect(sender.sent).toHaveLength(1);
    });

    it('rejects a missing secret with 401', async () => {
      const { deps } = setup(sharedSettings);

      const response = await receiveJasciEvent(deps, sharedRequest());

      expect(response.status).toBe(401);
      expect(errorOf(response.body).message).toContain('missing X-Jasci-Shared-Secret');
    });

    it('rejects a wrong secret with 401 without echoing either value', async () => {
      const { deps, log } = setup(sharedSettings);

      const response = await receiveJasciEvent(deps, sharedRequest('guessed-secret'));

      expect(response.status).toBe(401);
      const exposed = JSON.stringify(response.body) + JSON.stringify(log.entries);
      expect(exposed).not.toContain('guessed-secret');
      expect(exposed).not.toContain(sharedSecret);
    });
  });

  it('rejects invalid JSON with 400 naming the position', async () => {
    const { deps, sender } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest('{"event": "shipment.closed",\n}'),
    );

    expect(response.status).toBe(400);
    expect(errorOf(response.body).code).toBe('INVALID_JSON');
    expect(errorOf(response.body).message).toMatch(/line 2, column 1/);
    expect(sender.sent).toHaveLength(0);
  });

  it('rejects an empty body with 400', async () => {
    const { deps } = setup();

    const response = await receiveJasciEvent(deps, signedRequest(''));

    expect(response.status).toBe(400);
    expect(errorOf(response.body).message).toContain('empty');
  });

  it('rejects a JSON array with 400', async () => {
    const { deps } = setup();

    const response = await receiveJasciEvent(deps, signedRequest('[1, 2]'));

    expect(response.status).toBe(400);
    expect(errorOf(response.body).message).toContain('JSON object');
  });

  it('rejects a bad line quantity with 400 naming the field', async () => {
    const { deps, sender } = setup();
    const event = shipmentEvent();
    event.lines[0]!.quantity = -2;

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    expect(response.status).toBe(400);
    const error = errorOf(response.body);
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.field).toBe('lines[0].quantity');
    expect(error.message).toContain('lines[0].quantity: must be greater than 0');
    expect(sender.sent).toHaveLength(0);
  });

  it.each([
    ['1e308', '1e308'],
    ['1e400', '1e400'],
    ['just above the limit', '1000000000000'],
  ])('rejects line quantity %s with 400', async (_name, quantity) => {
    const { deps, sender } = setup();
    // Spliced into the text, because JSON.stringify writes Infinity as null.
    const body = JSON.stringify(shipmentEvent()).replace(
      /"quantity":\d+/,
      `"quantity":${quantity}`,
    );

    const response = await receiveJasciEvent(deps, signedRequest(body));

    expect(response.status).toBe(400);
    const error = errorOf(response.body);
    expect(error.field).toBe('lines[0].quantity');
    expect(error.message).toBe(
      "lines[0].quantity: must be at most 999999999999, the connector's limit",
    );
    expect(sender.sent).toHaveLength(0);
  });

  it('says what to send for a missing timestamp', async () => {
    const { deps } = setup();
    const event = omit(shipmentEvent(), 'timestamp');

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    expect(response.status).toBe(400);
    const error = errorOf(response.body);
    expect(error.field).toBe('timestamp');
    expect(error.message).toMatch(/^timestamp: missing; send the time of the event as an ISO-8601/);
    expect(error.message).not.toMatch(/Invalid key|Expected|received/);
  });

  it('names the expected type of a line field', async () => {
    const { deps } = setup();
    const event = shipmentEvent();
    (event.lines[0] as Record<string, unknown>).quantity = '2';
    (event.lines[0] as Record<string, unknown>).product = 7;
    delete (event.lines[0] as Record<string, unknown>).uom;

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    expect(response.status).toBe(400);
    const error = errorOf(response.body);
    expect(error.message).toContain('lines[0].quantity: must be a number');
    expect(error.message).toContain('lines[0].product: must be a string');
    expect(error.message).toContain('lines[0].uom: missing; send the unit of measure code');
    expect(error.message).not.toMatch(/Invalid (key|type)|Expected|received/);
  });

  it('rejects a shipment event without erpOrderNumber with 400', async () => {
    const { deps } = setup();
    const event = omit(shipmentEvent(), 'erpOrderNumber');

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    expect(response.status).toBe(400);
    expect(errorOf(response.body).field).toBe('erpOrderNumber');
  });

  it('rejects an event without a name with 400', async () => {
    const { deps } = setup();

    const response = await receiveJasciEvent(
      deps,
      signedRequest(JSON.stringify({ eventId: 'x', timestamp: '2026-12-03T09:59:00Z' })),
    );

    expect(response.status).toBe(400);
    expect(errorOf(response.body).field).toBe('event');
  });

  it('answers 503 with Retry-After when the queue send fails', async () => {
    const { deps, sender, log } = setup();
    sender.failWith = new Error('connection refused');

    const response = await receiveJasciEvent(deps, signedRequest(JSON.stringify(shipmentEvent())));

    expect(response.status).toBe(503);
    expect(errorOf(response.body).code).toBe('QUEUE_UNAVAILABLE');
    expect(response.headers?.['Retry-After']).toBe('30');
    expect(log.messages('error')).toContain(
      'JASCI event could not be queued; JASCI is asked to retry',
    );
  });

  it('logs no payload or signing secret', async () => {
    const { deps, log } = setup();
    const event = shipmentEvent({ trackingNumber: '1Z999AA10123456784' });

    await receiveJasciEvent(deps, signedRequest(JSON.stringify(event)));

    const logged = JSON.stringify(log.entries);
    expect(logged).not.toContain('1Z999AA10123456784');
    expect(logged).not.toContain(signingSecret);
  });
});

describe('describeJsonError', () => {
  it('cuts the excerpt V8 quotes from the body', () => {
    const text = '{"secret": x}';
    let error: unknown;
    try {
      JSON.parse(text);
    } catch (caught) {
      error = caught;
    }

    const description = describeJsonError(error, text);

    expect(description).not.toContain('secret');
    expect(description).toContain("'x'");
  });
});
