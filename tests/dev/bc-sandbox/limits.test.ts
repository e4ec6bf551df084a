import type { BcSandbox } from '../../../dev/bc-sandbox';
import { callApi, getToken, startTestSandbox } from './sandboxClient';

describe('BC sandbox limits and faults', () => {
  const sandboxes: BcSandbox[] = [];

  async function start(overrides: Parameters<typeof startTestSandbox>[0] = {}) {
    const sandbox = await startTestSandbox(overrides);
    sandboxes.push(sandbox);
    return { sandbox, token: await getToken(sandbox) };
  }

  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.stop()));
  });

  test('requests past the rate get 429 with Retry-After and BC error body', async () => {
    const { sandbox, token } = await start({ maxRequestsPerWindow: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i += 1)
      expect((await callApi(sandbox, token, 'GET', 'items')).status).toBe(200);
    const throttled = await callApi(sandbox, token, 'GET', 'items');
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('Application_TooManyRequests');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sandbox.stats().throttled).toBe(1);
  });

  test('rate window slides and admits again', async () => {
    const { sandbox, token } = await start({ maxRequestsPerWindow: 2, windowMs: 200 });
    await callApi(sandbox, token, 'GET', 'items');
    await callApi(sandbox, token, 'GET', 'items');
    expect((await callApi(sandbox, token, 'GET', 'items')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await callApi(sandbox, token, 'GET', 'items')).status).toBe(200);
  });

  test('concurrent slow requests queue and never exceed 5 in progress', async () => {
    const { sandbox, token } = await start();
    sandbox.faults.setDelay(100, /\/items/);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => callApi(sandbox, token, 'GET', 'items')),
    );
    expect(results.map((result) => result.status)).toEqual(Array(12).fill(200));
    const stats = sandbox.stats();
    expect(stats.maxConcurrentSeen).toBe(5);
    expect(stats.throttled).toBe(0);
    expect(stats.byPath['GET items']).toBe(12);
  });

  test('full queue returns 429', async () => {
    const { sandbox, token } = await start({ maxConcurrent: 1, queueLimit: 1 });
    sandbox.faults.setDelay(150);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => callApi(sandbox, token, 'GET', 'items')),
    );
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(sandbox.stats().maxConcurrentSeen).toBe(1);
  });

  test('a request waiting too long in the queue gets 503', async () => {
    const { sandbox, token } = await start({ maxConcurrent: 1, queueTimeoutMs: 50 });
    sandbox.faults.setDelay(300);
    const results = await Promise.all([
      callApi(sandbox, token, 'GET', 'items'),
      callApi(sandbox, token, 'GET', 'items'),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 503]);
  });

  test('injected 503 hits matching requests only', async () => {
    const { sandbox, token } = await start();
    sandbox.faults.failNext({ status: 503, count: 2, path: /salesOrders/, retryAfterSeconds: 7 });
    expect((await callApi(sandbox, token, 'GET', 'items')).status).toBe(200);
    const first = await callApi(sandbox, token, 'GET', 'salesOrders');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(first.body.error.code).toMatch(/./);
    expect((await callApi(sandbox, token, 'GET', 'salesOrders')).status).toBe(503);
    expect((await callApi(sandbox, token, 'GET', 'salesOrders')).status).toBe(200);
    expect(sandbox.stats().faultsInjected).toBe(2);
  });

  test('injected 429 and 500 carry BC error bodies', async () => {
    const { sandbox, token } = await start();
    sandbox.faults.failNext({ status: 429 });
    sandbox.faults.failNext({ status: 500, method: 'GET' });
    const throttled = await callApi(sandbox, token, 'GET', 'items');
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('Application_TooManyRequests');
    expect(throttled.headers.get('retry-after')).toBe('1');
    const failed = await callApi(sandbox, token, 'GET', 'items');
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('Internal_ServerError');
  });

  test('reset fault drops the connection', async () => {
    const { sandbox, token } = await start();
    sandbox.faults.resetNext(1, /items/);
    await expect(callApi(sandbox, token, 'GET', 'items')).rejects.toThrow();
    expect((await callApi(sandbox, token, 'GET', 'items')).status).toBe(200);
  });

  test('stop ends queued requests with 503', async () => {
    const { sandbox, token } = await start({ maxConcurrent: 1 });
    sandbox.faults.setDelay(5_000);
    const pending = Promise.all([
      callApi(sandbox, token, 'GET', 'items'),
      callApi(sandbox, token, 'GET', 'items'),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sandbox.stop();
    const results = await pending;
    expect(results.map((result) => result.status).sort()).toEqual([200, 503]);
  });
});
