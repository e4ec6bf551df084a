import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../../dev/servicebus';

export const testQueues = ['to-jasci', 'to-bc'] as const;

export interface ServiceBusFixture {
  readonly emulator: ServiceBusEmulator;
  readonly connectionString: string;
  /** One client per test file, closed in afterAll. */
  readonly client: ServiceBusClient;
}

/**
 * Starts the Service Bus emulator with the queues 'to-jasci' and 'to-bc' in `beforeAll` of the
 * calling test file, and stops it and the shared client in `afterAll`.
 */
export function useServiceBus(): ServiceBusFixture {
  let emulator: ServiceBusEmulator | undefined;
  let client: ServiceBusClient | undefined;

  beforeAll(async () => {
    emulator = await startServiceBusEmulator({
      queues: testQueues.map((name) => ({ name })),
    });
    client = new ServiceBusClient(emulator.connectionString);
  });
  afterAll(async () => {
    await client?.close();
    await emulator?.stop();
    client = undefined;
    emulator = undefined;
  });

  const running = (): { emulator: ServiceBusEmulator; client: ServiceBusClient } => {
    if (emulator === undefined || client === undefined) {
      throw new Error('The Service Bus emulator is not running; use the fixture inside a test');
    }
    return { emulator, client };
  };
  return {
    get emulator() {
      return running().emulator;
    },
    get connectionString() {
      return running().emulator.connectionString;
    },
    get client() {
      return running().client;
    },
  };
}

/** Receives exactly `count` messages from `queue` and completes them (fails after `timeoutMs`). */
export async function receiveAll(
  client: ServiceBusClient,
  queue: string,
  count: number,
  timeoutMs = 5000,
): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(queue);
  const received: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (received.length < count && Date.now() < deadline) {
      const batch = await receiver.receiveMessages(count - received.length, {
        maxWaitTimeInMs: Math.max(100, deadline - Date.now()),
      });
      for (const message of batch) {
        await receiver.completeMessage(message);
        received.push(message);
      }
    }
  } finally {
    await receiver.close();
  }
  return received;
}
