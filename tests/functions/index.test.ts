import { functionTable } from '../../functions/all';
import { minimalEnv } from '../helpers/settingsEnv';

interface Registered {
  metadata: { name: string; bindings: Record<string, Record<string, unknown>> };
}

const registered: Registered[] = [];

// The Functions worker injects @azure/functions-core; this stand-in captures each registration.
jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    registerHook: () => ({ dispose: () => undefined }),
    registerFunction: (metadata: Registered['metadata']) => {
      registered.push({ metadata });
      return { dispose: () => undefined };
    },
  }),
  { virtual: true },
);

const validEnv = minimalEnv;

function triggerOf(name: string): Record<string, unknown> {
  const entry = registered.find((r) => r.metadata.name === name);
  if (!entry) throw new Error(`${name} was not registered`);
  const trigger = Object.values(entry.metadata.bindings).find((b) => b.direction === 'in');
  if (!trigger) throw new Error(`${name} has no trigger binding`);
  return trigger;
}

describe('functions/index', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.resetModules();
  });

  test('stops start-up on a missing setting', () => {
    for (const name of Object.keys(validEnv)) delete process.env[name];
    jest.isolateModules(() => {
      // Loading the entry point runs its start-up code, which is what this test checks.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require('../../functions/index')).toThrow(/BC_TENANT_ID: missing/);
    });
  });

  test('registers every function of the table', () => {
    Object.assign(process.env, validEnv);
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../functions/index');
    });
    expect(registered.map((r) => r.metadata.name).sort()).toEqual(
      functionTable.map((f) => f.name).sort(),
    );
    expect(triggerOf('salesOrdersPoll')).toMatchObject({
      type: 'timerTrigger',
      schedule: '%SALES_ORDER_POLL_SCHEDULE%',
    });
    expect(triggerOf('toJasciWorker')).toMatchObject({
      type: 'serviceBusTrigger',
      queueName: '%QUEUE_TO_JASCI%',
      connection: 'ServiceBusConnection',
    });
    expect(triggerOf('toBcDeadLetter')).toMatchObject({
      queueName: '%QUEUE_TO_BC%/$DeadLetterQueue',
    });
    expect(triggerOf('jasciEvents')).toMatchObject({
      type: 'httpTrigger',
      route: 'jasci/events',
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    });
  });
});
