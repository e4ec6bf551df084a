import { setTimeout as sleep } from 'node:timers/promises';
import * as v from 'valibot';
import { startJasciSandbox, type JasciSandbox } from '../../../dev/jasci-sandbox';
import { verifyJasciSignature, verifySharedSecret } from '../../../shared/jasci/signature';
import { jasciShipmentEventSchema, type JasciShipmentEvent } from '../../../shared/jasci/wire';
import { sampleOrder } from '../../shared/jasci/sampleOrder';
import { closedPortUrl, startReceiver, type ReceivedRequest, type Receiver } from './receiver';

const apiKey = 'sandbox-key';
const signingSecret = 'whsec-sandbox-test';

function put(sandbox: JasciSandbox, body: unknown, orderNumber?: string): Promise<Response> {
  const number = orderNumber ?? (body as { orderNumber: string }).orderNumber;
  return fetch(`${sandbox.baseUrl}/V1/outbound-orders/${encodeURIComponent(number)}`, {
    method: 'PUT',
    headers: { 'API-KEY-X': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function parseEvent(request: ReceivedRequest): JasciShipmentEvent {
  return v.parse(jasciShipmentEventSchema, JSON.parse(request.rawBody.toString('utf8')));
}

function signatureCheck(request: ReceivedRequest) {
  return verifyJasciSignature({
    secret: signingSecret,
    signatureHeader: request.headers['x-jasci-signature'] as string | undefined,
    timestampHeader: request.headers['x-jasci-timestamp'] as string | undefined,
    rawBody: request.rawBody,
    nowMs: Date.now(),
    toleranceSeconds: 300,
  });
}

describe('JASCI sandbox warehouse', () => {
  let receiver: Receiver;
  let sandbox: JasciSandbox;

  beforeAll(async () => {
    receiver = await startReceiver();
    sandbox = await startJasciSandbox({
      apiKey,
      webhook: { url: receiver.url, signingSecret, retryDelayMs: 10 },
      warehouse: {
        autoShip: true,
        shipDelayMs: 20,
        lots: true,
        partial: (order) => order.orderNumber.startsWith('PART-'),
      },
    });
  });

  afterAll(async () => {
    await sandbox.stop();
    await receiver.stop();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
  });

  it('auto-ships with a valid signature', async () => {
    expect((await put(sandbox, sampleOrder({ orderNumber: 'AUTO-1' }))).status).toBe(201);

    await receiver.waitFor(1);
    const request = receiver.requests[0]!;

    expect(signatureCheck(request)).toEqual({ ok: true });
    expect(request.headers['content-type']).toBe('application/json');
    const event = parseEvent(request);
    expect(event.orderNumber).toBe('AUTO-1');
    expect(event.erpOrderNumber).toBe('S-ORD101001');
    expect(event.carrier).toBe('UPS');
    expect(event.trackingNumber).toBeTruthy();
    expect(event.lines.map((line) => [line.lineNumber, line.quantity])).toEqual([
      [10000, 5],
      [20000, 2],
    ]);
    expect(event.lines[0]?.lots).toEqual([{ lot: 'LOT-1896-S', quantity: 5 }]);
    expect(sandbox.orders.get('AUTO-1')?.status).toBe('SHIPPED');
  });

  it('ships a partial order in two events', async () => {
    await put(sandbox, sampleOrder({ orderNumber: 'PART-1' }));

    await receiver.waitFor(2);
    const [first, second] = receiver.requests.map(parseEvent);

    expect(first?.lines.map((line) => [line.lineNumber, line.quantity])).toEqual([
      [10000, 3],
      [20000, 1],
    ]);
    expect(second?.lines.map((line) => [line.lineNumber, line.quantity])).toEqual([
      [10000, 2],
      [20000, 1],
    ]);
    expect(first?.eventId).not.toBe(second?.eventId);
    expect(first?.shipmentNumber).not.toBe(second?.shipmentNumber);
    expect(first?.trackingNumber).not.toBe(second?.trackingNumber);
    expect(sandbox.orders.get('PART-1')?.status).toBe('SHIPPED');
  });

  it('does not ship a cancelled order', async () => {
    const order = sampleOrder({ orderNumber: 'AUTO-2' });
    const paused = await startJasciSandbox({
      webhook: { url: receiver.url, signingSecret },
      warehouse: { autoShip: true, shipDelayMs: 200 },
    });
    try {
      await put(paused, order);
      const cancel = await fetch(`${paused.baseUrl}/V1/outbound-orders/AUTO-2/cancel`, {
        method: 'POST',
      });
      expect(cancel.status).toBe(200);

      await sleep(300);

      expect(receiver.requests).toHaveLength(0);
      expect(paused.orders.get('AUTO-2')?.status).toBe('CANCELLED');
    } finally {
      await paused.stop();
    }
  });
});

describe('JASCI sandbox webhook options', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('retries delivery after a non-2xx answer', async () => {
    receiver.requests.length = 0;
    const order = sampleOrder({ orderNumber: 'MANUAL-2' });
    const manual = await startJasciSandbox({
      webhook: { url: receiver.url, signingSecret, retryDelayMs: 10 },
    });
    try {
      await put(manual, order);
      receiver.respondWith(500, 503);

      const result = await manual.ship('MANUAL-2', [{ lineNumber: 20000, quantity: 2 }]);

      expect(result.delivered).toBe(true);
      expect(result.status).toBe(202);
      expect(result.orderStatus).toBe('PARTIALLY_SHIPPED');
      expect(receiver.requests).toHaveLength(3);
      const ids = receiver.requests.map((request) => parseEvent(request).eventId);
      expect(new Set(ids)).toEqual(new Set([result.eventId]));
      expect(manual.events[0]?.attempts.map((attempt) => attempt.status)).toEqual([500, 503, 202]);
    } finally {
      await manual.stop();
    }
  });

  it('sends the shared secret without a signing secret', async () => {
    const sandbox = await startJasciSandbox({
      webhook: { url: receiver.url, sharedSecret: 's3cr3t' },
    });
    try {
      await put(sandbox, sampleOrder({ orderNumber: 'SHARED-1' }));
      await sandbox.ship('SHARED-1');

      const request = receiver.requests.at(-1)!;
      expect(verifySharedSecret('s3cr3t', request.headers['x-jasci-shared-secret'] as string)).toBe(
        true,
      );
      expect(request.headers['x-jasci-signature']).toBeUndefined();
    } finally {
      await sandbox.stop();
    }
  });

  it('gives up on an unreachable webhook', async () => {
    const sandbox = await startJasciSandbox({
      webhook: { url: await closedPortUrl(), signingSecret, maxAttempts: 2, retryDelayMs: 5 },
    });
    try {
      await put(sandbox, sampleOrder({ orderNumber: 'LOST-1' }));

      const result = await sandbox.ship('LOST-1');

      expect(result.delivered).toBe(false);
      expect(result.status).toBeUndefined();
      expect(sandbox.events[0]?.attempts).toHaveLength(2);
      expect(sandbox.events[0]?.attempts[0]?.error).toContain('ECONNREFUSED');
    } finally {
      await sandbox.stop();
    }
  });

  it('redelivers the same raw body', async () => {
    const sandbox = await startJasciSandbox({ webhook: { url: receiver.url, signingSecret } });
    try {
      await put(sandbox, sampleOrder({ orderNumber: 'AGAIN-1' }));
      const first = await sandbox.ship('AGAIN-1');
      const before = receiver.requests.length;

      await sandbox.redeliver(first.eventId);

      expect(receiver.requests).toHaveLength(before + 1);
      expect(receiver.requests.at(-1)?.rawBody).toEqual(receiver.requests.at(-2)?.rawBody);
    } finally {
      await sandbox.stop();
    }
  });
});

describe('JASCI sandbox API', () => {
  let sandbox: JasciSandbox;

  beforeAll(async () => {
    sandbox = await startJasciSandbox({ apiKey });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('fails every request during a storm window', async () => {
    const before = sandbox.stats().failuresInjected;
    sandbox.faults.failFor(300, 503, 2);

    const during = await put(sandbox, sampleOrder({ orderNumber: 'STORM-1' }));
    const again = await put(sandbox, sampleOrder({ orderNumber: 'STORM-1' }));
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('2');
    expect(again.status).toBe(503);
    expect(sandbox.orders.get('STORM-1')).toBeUndefined();

    await sleep(350);
    const after = await put(sandbox, sampleOrder({ orderNumber: 'STORM-1' }));

    expect(after.status).toBe(201);
    expect(sandbox.stats().failuresInjected).toBe(before + 2);
  });

  it('names the invalid field in a 400', async () => {
    const order = sampleOrder({ orderNumber: 'BAD-1' });
    const response = await put(sandbox, { ...order, lines: [{ ...order.lines[0], uom: '' }] });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { code: string; message: string }[] };
    expect(body.errors).toEqual([
      { code: 'INVALID_FIELD', message: 'lines.0.uom: must not be empty' },
    ]);
  });

  it('rejects an order number that differs from the URL', async () => {
    const response = await put(sandbox, sampleOrder({ orderNumber: 'BAD-2' }), 'BAD-3');

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('orderNumber');
  });

  it('rejects a request without credentials', async () => {
    const response = await fetch(`${sandbox.baseUrl}/V1/outbound-orders/X`);

    expect(response.status).toBe(401);
  });

  it('answers unknown paths and methods', async () => {
    const unknown = await fetch(`${sandbox.baseUrl}/V1/purchase-orders/X`);
    const wrongMethod = await fetch(`${sandbox.baseUrl}/V1/outbound-orders/X`, {
      method: 'DELETE',
    });

    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PUT');
  });

  it('counts requests by route', async () => {
    const before = sandbox.stats().byRoute['PUT /V1/outbound-orders/{orderNumber}'] ?? 0;

    await put(sandbox, sampleOrder({ orderNumber: 'COUNT-1' }));
    await put(sandbox, sampleOrder({ orderNumber: 'COUNT-1' }));

    expect(sandbox.stats().byRoute['PUT /V1/outbound-orders/{orderNumber}']).toBe(before + 2);
    expect(sandbox.orders.history('COUNT-1')).toHaveLength(2);
  });
});
