import { QueueRegistry } from './addresses';
import { Broker } from './broker';
import { consoleWarnings, type EmulatorLogger } from './logger';
import { ServiceBusQueue } from './queue';

export type { EmulatorLogger } from './logger';

export interface QueueOptions {
  name: string;
  /** Deliveries after which a message is dead-lettered with `MaxDeliveryCountExceeded`. Default 5. */
  maxDeliveryCount?: number;
  /** Peek-lock duration in milliseconds. Default 60000. */
  lockDurationMs?: number;
  /** How long a message id blocks a resend with the same id, in milliseconds. Default 600000. */
  duplicateDetectionWindowMs?: number;
}

export interface ServiceBusEmulatorOptions {
  queues: QueueOptions[];
  host?: '127.0.0.1';
  /** Port to listen on, where 0 picks a free port. Default 0. */
  port?: number;
  /** Receives connection errors and dropped replies. Default: warnings and errors on the console. */
  logger?: EmulatorLogger;
}

export interface QueueDepth {
  /** Messages that can be received or are locked by a receiver. */
  active: number;
  /** Messages waiting for their scheduled enqueue time. */
  scheduled: number;
  /** Messages in the dead-letter sub-queue, locked or not. */
  deadLetter: number;
}

export interface ServiceBusEmulator {
  /** Connection string for `new ServiceBusClient(connectionString)`, with plain AMQP on `port`. */
  readonly connectionString: string;
  readonly port: number;
  queueDepth(name: string): QueueDepth;
  /** Open receiving links on a queue and its dead-letter sub-queue. */
  receiverCount(name: string): number;
  /** Closes all client connections and the listening socket, and cancels timers. */
  stop(): Promise<void>;
}

/**
 * Starts an in-process AMQP 1.0 broker that `@azure/service-bus` uses like Service Bus:
 * queues with peek-lock, dead-lettering, scheduling and duplicate detection.
 */
export async function startServiceBusEmulator(
  options: ServiceBusEmulatorOptions,
): Promise<ServiceBusEmulator> {
  const host = options.host ?? '127.0.0.1';
  const queues = new QueueRegistry(
    options.queues.map((queue) => new ServiceBusQueue(settingsOf(queue))),
  );
  const log = options.logger ?? consoleWarnings;
  const broker = new Broker(queues, log);
  const port = await broker.listen(host, options.port ?? 0);
  log.info('Service Bus emulator started', {
    host,
    port,
    queues: options.queues.map((queue) => queue.name),
  });

  const queueNamed = (name: string): ServiceBusQueue => {
    const queue = queues.get(name);
    if (!queue) {
      throw new Error(`Unknown queue "${name}": the emulator was started without it.`);
    }
    return queue;
  };

  return {
    connectionString: `Endpoint=sb://${host}:${port};SharedAccessKeyName=local;SharedAccessKey=local;UseDevelopmentEmulator=true`,
    port,
    queueDepth: (name) => queueNamed(name).depth(),
    receiverCount: (name) => queueNamed(name).receiverCount(),
    async stop(): Promise<void> {
      await broker.stop();
      for (const queue of queues.all()) {
        queue.close();
      }
      log.info('Service Bus emulator stopped', { port });
    },
  };
}

function settingsOf(options: QueueOptions): ServiceBusQueue['settings'] {
  const settings = {
    name: options.name,
    maxDeliveryCount: options.maxDeliveryCount ?? 5,
    lockDurationMs: options.lockDurationMs ?? 60_000,
    duplicateDetectionWindowMs: options.duplicateDetectionWindowMs ?? 600_000,
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(settings.name)) {
    throw new Error(
      `Invalid queue name "${settings.name}": use letters, digits, '.', '_', '-' and '/'.`,
    );
  }
  for (const field of [
    'maxDeliveryCount',
    'lockDurationMs',
    'duplicateDetectionWindowMs',
  ] as const) {
    if (!Number.isInteger(settings[field]) || settings[field] < 1) {
      throw new Error(
        `Invalid ${field} ${settings[field]} for queue "${settings.name}": use a positive integer.`,
      );
    }
  }
  return settings;
}
