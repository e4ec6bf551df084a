import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startJasciSandbox, type JasciSandbox } from '../../../dev/jasci-sandbox';
import { loadSettings } from '../../../shared/config/load';
import { BusinessError, TransientError } from '../../../shared/errors';
import { JasciClient, type JasciClientLog } from '../../../shared/jasci/client';
import { sampleOrder } from './sampleOrder';

const apiKey = 'sandbox-api-key-7f3a';
const credentials = {
  tenantId: 'T1',
  companyId: 'C1',
  userId: 'connector',
  password: 'sandbox-password-91b2',
};

/** Runs `call` and returns what it threw; fails the test when it resolves. */
async function rejectionOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function recordingLog(): JasciClientLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message, fields) => lines.push(JSON.stringify({ message, fields })),
    warn: (message, fields) => lines.push(JSON.stringify({ message, fields })),
  };
}

let sandbox: JasciSandbox;

beforeAll(async () => {
  sandbox = await startJasciSandbox({ apiKey, credentials, tokenLifetimeMs: 120_000 });
});

afterAll(async () => {
  await sandbox.stop();
});

function apiKeyClient(timeoutMs = 5000): JasciClient {
  return new JasciClient({ baseUrl: sandbox.baseUrl, auth: { mode: 'apiKey', apiKey }, timeoutMs });
}

function authCount(): number {
  return sandbox.stats().byRoute['POST /authenticate'] ?? 0;
}

describe('JasciClient with an API key', () => {
  it('creates then updates an order', async () => {
    const client = apiKeyClient();
    const order = sampleOrder({ orderNumber: 'KEY-1' });

    expect(await client.upsertOutboundOrder(order)).toBe('created');
    expect(await client.upsertOutboundOrder({ ...order, carrier: 'FEDEX' })).toBe('updated');

    const history = sandbox.orders.history('KEY-1');
    expect(history).toHaveLength(2);
    expect(history[1]?.order.carrier).toBe('FEDEX');
    expect(client.requestCount).toBe(2);
  });

  it('reads an order with its status', async () => {
    const client = apiKeyClient();
    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'KEY-2' }));

    const read = await client.getOutboundOrder('KEY-2');

    expect(read?.status).toBe('OPEN');
    expect(read?.lines).toHaveLength(2);
    expect(read?.shipTo.city).toBe('Cambridge');
  });

  it('returns undefined for an unknown order', async () => {
    expect(await apiKeyClient().getOutboundOrder('NO-SUCH-ORDER')).toBeUndefined();
  });

  it('encodes order numbers with a slash', async () => {
    const client = apiKeyClient();
    await client.upsertOutboundOrder(
      sampleOrder({ orderNumber: 'SO/7-WH1', erpOrderNumber: 'SO/7' }),
    );

    expect(sandbox.orders.get('SO/7-WH1')?.erpOrderNumber).toBe('SO/7');
    expect((await client.getOutboundOrder('SO/7-WH1'))?.orderNumber).toBe('SO/7-WH1');
  });

  it('raises a transient AUTH error for a wrong key', async () => {
    const client = new JasciClient({
      baseUrl: sandbox.baseUrl,
      auth: { mode: 'apiKey', apiKey: 'wrong-key' },
      timeoutMs: 5000,
    });

    const error = await rejectionOf(() => client.getOutboundOrder('KEY-1'));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('AUTH');
    expect((error as TransientError).message).not.toContain('wrong-key');
  });
});

describe('JasciClient with OAuth', () => {
  function oauthClient(now: () => number, log?: JasciClientLog): JasciClient {
    return new JasciClient({
      baseUrl: sandbox.baseUrl,
      auth: { mode: 'oauth', ...credentials },
      timeoutMs: 5000,
      now,
      log,
    });
  }

  it('obtains a token once and reuses it', async () => {
    const before = authCount();
    const client = oauthClient(Date.now);

    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'OAUTH-1' }));
    await client.getOutboundOrder('OAUTH-1');

    expect(authCount() - before).toBe(1);
    expect(client.requestCount).toBe(3);
  });

  it('renews the token within a minute of expiry', async () => {
    let clock = Date.now();
    const before = authCount();
    const client = oauthClient(() => clock);
    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'OAUTH-2' }));

    clock += 50_000;
    await client.getOutboundOrder('OAUTH-2');
    expect(authCount() - before).toBe(1);

    clock += 20_000;
    await client.getOutboundOrder('OAUTH-2');
    expect(authCount() - before).toBe(2);
  });

  it('renews the token once after a 401', async () => {
    const log = recordingLog();
    const client = oauthClient(Date.now, log);
    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'OAUTH-3' }));
    const before = authCount();

    sandbox.expireTokens();
    const read = await client.getOutboundOrder('OAUTH-3');

    expect(read?.orderNumber).toBe('OAUTH-3');
    expect(authCount() - before).toBe(1);
    expect(log.lines.some((line) => line.includes('rejected the bearer token'))).toBe(true);
  });

  it('keeps secrets out of the log', async () => {
    const log = recordingLog();
    const client = oauthClient(Date.now, log);
    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'OAUTH-4' }));
    sandbox.expireTokens();
    await client.getOutboundOrder('OAUTH-4');

    expect(log.lines.length).toBeGreaterThan(0);
    const text = log.lines.join('\n');
    expect(text).not.toContain(credentials.password);
    expect(text).not.toMatch(/Bearer/);
  });

  it('raises a transient AUTH error for a wrong password', async () => {
    const client = new JasciClient({
      baseUrl: sandbox.baseUrl,
      auth: { mode: 'oauth', ...credentials, password: 'wrong-password' },
      timeoutMs: 5000,
    });

    const error = await rejectionOf(() => client.getOutboundOrder('OAUTH-1'));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('AUTH');
    expect((error as TransientError).message).toContain('JASCI_PASSWORD');
    expect((error as TransientError).message).not.toContain('wrong-password');
  });

  it('builds from settings', async () => {
    const settings = loadSettings({
      ServiceBusConnection: 'Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=v',
      DataStorageConnection: 'UseDevelopmentStorage=true',
      BC_TENANT_ID: 't',
      BC_ENVIRONMENT: 'e',
      BC_COMPANY_ID: 'c',
      BC_CLIENT_ID: 'id',
      BC_CLIENT_SECRET: 'secret',
      JASCI_BASE_URL: sandbox.baseUrl,
      JASCI_AUTH_MODE: 'oauth',
      JASCI_TENANT_ID: credentials.tenantId,
      JASCI_COMPANY_ID: credentials.companyId,
      JASCI_USER_ID: credentials.userId,
      JASCI_PASSWORD: credentials.password,
      JASCI_WEBHOOK_SHARED_SECRET: 'shared',
    });
    const client = JasciClient.fromSettings(settings);

    expect(await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'SETTINGS-1' }))).toBe(
      'created',
    );
  });
});

describe('JasciClient error classification', () => {
  it('turns 503 with Retry-After into a transient error', async () => {
    const client = apiKeyClient();
    const before = sandbox.stats().byRoute['PUT /V1/outbound-orders/{orderNumber}'] ?? 0;
    sandbox.faults.failNext(1, 503, 7);

    const error = await rejectionOf(() =>
      client.upsertOutboundOrder(sampleOrder({ orderNumber: 'ERR-1' })),
    );

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('UNAVAILABLE');
    expect((error as TransientError).retryAfterMs).toBe(7000);
    // One request only: retries belong to the connector's scheduled messages, not to ky.
    expect(sandbox.stats().byRoute['PUT /V1/outbound-orders/{orderNumber}']).toBe(before + 1);
  });

  it.each([
    [429, 'THROTTLED'],
    [500, 'SERVER_ERROR'],
    [408, 'TIMEOUT'],
  ])('turns %i into transient %s', async (status, code) => {
    sandbox.faults.failNext(1, status);

    const error = await rejectionOf(() => apiKeyClient().getOutboundOrder('ERR-2'));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe(code);
    expect((error as TransientError).retryAfterMs).toBeUndefined();
  });

  it("turns 422 into a business error with JASCI's message", async () => {
    sandbox.faults.rejectNext(1, 422, 'Customer 10000 is on credit hold');

    const error = await rejectionOf(() =>
      apiKeyClient().upsertOutboundOrder(sampleOrder({ orderNumber: 'ERR-3' })),
    );

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('JASCI_REJECTED');
    expect((error as BusinessError).message).toContain('Customer 10000 is on credit hold');
    expect((error as BusinessError).details.status).toBe(422);
  });

  it('names the invalid field from a 400', async () => {
    const order = sampleOrder({ orderNumber: 'ERR-4' });
    order.shipTo.city = '';

    const error = await rejectionOf(() => apiKeyClient().upsertOutboundOrder(order));

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).details.status).toBe(400);
    expect((error as BusinessError).message).toContain('shipTo.city');
  });

  it('turns a slow answer into a TIMEOUT', async () => {
    sandbox.faults.delayNext(1, 1500);

    const error = await rejectionOf(() => apiKeyClient(200).getOutboundOrder('ERR-5'));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('TIMEOUT');
  });

  it('turns a refused connection into a NETWORK error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = new JasciClient({
      baseUrl: `http://127.0.0.1:${port}/JasciRestApi`,
      auth: { mode: 'apiKey', apiKey },
      timeoutMs: 2000,
    });

    const error = await rejectionOf(() => client.getOutboundOrder('ERR-6'));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('NETWORK');
    expect((error as TransientError).message).toContain('ECONNREFUSED');
  });
});

describe('JasciClient cancel', () => {
  it('cancels an open order', async () => {
    const client = apiKeyClient();
    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'CANCEL-1' }));

    await client.cancelOutboundOrder('CANCEL-1', 'Deleted in BC');

    expect((await client.getOutboundOrder('CANCEL-1'))?.status).toBe('CANCELLED');
  });

  it('reports 409 for an order in fulfilment', async () => {
    const client = apiKeyClient();
    await client.upsertOutboundOrder(sampleOrder({ orderNumber: 'CANCEL-2' }));
    await sandbox.ship('CANCEL-2', [{ lineNumber: 10000, quantity: 1 }]);

    const error = await rejectionOf(() => client.cancelOutboundOrder('CANCEL-2'));

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('JASCI_REJECTED');
    expect((error as BusinessError).details.status).toBe(409);
    expect((error as BusinessError).message).toContain('already in fulfilment');
  });

  it('reports 409 for an update after shipping', async () => {
    const client = apiKeyClient();
    const order = sampleOrder({ orderNumber: 'CANCEL-3' });
    await client.upsertOutboundOrder(order);
    await sandbox.ship('CANCEL-3');

    const error = await rejectionOf(() => client.upsertOutboundOrder({ ...order, carrier: 'DHL' }));

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).details.status).toBe(409);
    expect((error as BusinessError).details.jasciCode).toBe('ORDER_IN_FULFILMENT');
  });
});
