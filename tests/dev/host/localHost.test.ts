import type { HttpRequest, InvocationContext } from '@azure/functions';
import { ServiceBusClient } from '@azure/service-bus';
import type { FunctionSpec } from '../../../functions/table';
import { startLocalHost, type HostLogEntry, type LocalHost } from '../../../dev/host';
import { minimalEnv } from '../../helpers/settingsEnv';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../../dev/servicebus';

const waitFor = async (condition: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('local host', () => {
  let emulator: ServiceBusEmulator;
  let host: LocalHost;
  let client: ServiceBusClient;
  const logs: HostLogEntry[] = [];
  const handled: { body: unknown; deliveryCount: unknown }[] = [];
  const deadLettered: { body: unknown; reason: unknown }[] = [];
  let timerRuns = 0;

  const functions: FunctionSpec[] = [
    {
      name: 'echo',
      trigger: { type: 'http', route: 'echo', methods: ['POST'], authLevel: 'anonymous' },
      handler: async (request: HttpRequest, context: InvocationContext) => {
        context.log('Echo called', { length: (await request.text()).length });
        return { status: 201, jsonBody: { method: request.method, query: request.query.get('q') } };
      },
    },
    {
      name: 'broken',
      trigger: { type: 'http', route: 'broken', methods: ['GET'], authLevel: 'anonymous' },
      handler: async () => {
        throw new Error('handler failed');
      },
    },
    {
      name: 'tick',
      trigger: { type: 'timer', schedule: '%TICK_SCHEDULE%' },
      handler: async () => {
        timerRuns += 1;
      },
    },
    {
      name: 'worker',
      trigger: {
        type: 'serviceBus',
        queueName: '%WORK_QUEUE%',
        connection: 'ServiceBusConnection',
      },
      handler: async (message: unknown, context: InvocationContext) => {
        handled.push({ body: message, deliveryCount: context.triggerMetadata?.deliveryCount });
        if ((message as { fail?: boolean }).fail) throw new Error('cannot process');
      },
    },
    {
      name: 'deadLetters',
      trigger: {
        type: 'serviceBus',
        queueName: '%WORK_QUEUE%/$DeadLetterQueue',
        connection: 'ServiceBusConnection',
      },
      handler: async (message: unknown, context: InvocationContext) => {
        deadLettered.push({ body: message, reason: context.triggerMetadata?.deadLetterReason });
      },
    },
  ];

  beforeAll(async () => {
    emulator = await startServiceBusEmulator({
      queues: [{ name: 'work', maxDeliveryCount: 3 }],
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    host = await startLocalHost({
      functions,
      env: {
        ...minimalEnv,
        ServiceBusConnection: emulator.connectionString,
        TICK_SCHEDULE: '* * * * * *',
        WORK_QUEUE: 'work',
      },
      log: (entry) => logs.push(entry),
      maxConcurrentCalls: 2,
    });
    client = new ServiceBusClient(emulator.connectionString);
  });

  afterAll(async () => {
    await client.close();
    await host.stop();
    await emulator.stop();
  });

  test('serves an HTTP route under /api', async () => {
    const response = await fetch(`${host.baseUrl}/api/echo?q=1`, { method: 'POST', body: 'abc' });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ method: 'POST', query: '1' });
    const entry = logs.find((e) => e.functionName === 'echo');
    expect(entry?.message).toBe('Echo called');
    expect(entry?.fields).toEqual({ length: 3 });
  });

  test('answers 404, 405 and 500 like the Functions host', async () => {
    expect((await fetch(`${host.baseUrl}/api/missing`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/api/echo`)).status).toBe(405);
    expect((await fetch(`${host.baseUrl}/api/broken`)).status).toBe(500);
  });

  test('runs a timer on its schedule', async () => {
    await waitFor(() => timerRuns >= 2, 5_000);
    expect(host.timers.get('tick')).toBeDefined();
  });

  test('completes a handled queue message', async () => {
    const sender = client.createSender('work');
    await sender.sendMessages({ body: { id: 'ok-1' }, messageId: 'ok-1' });
    await sender.close();
    await waitFor(() => handled.some((h) => (h.body as { id: string }).id === 'ok-1'));
    await waitFor(() => emulator.queueDepth('work').active === 0);
    expect(handled.filter((h) => (h.body as { id: string }).id === 'ok-1')).toHaveLength(1);
  });

  test('abandons a failing message until it is dead-lettered', async () => {
    const sender = client.createSender('work');
    await sender.sendMessages({ body: { id: 'bad-1', fail: true }, messageId: 'bad-1' });
    await sender.close();
    await waitFor(() => deadLettered.length === 1);
    const attempts = handled.filter((h) => (h.body as { id: string }).id === 'bad-1');
    expect(attempts).toHaveLength(3);
    expect(deadLettered[0]?.body).toEqual({ id: 'bad-1', fail: true });
    expect(deadLettered[0]?.reason).toBe('MaxDeliveryCountExceeded');
  });
});
