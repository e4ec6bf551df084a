import type { InvocationContext } from '@azure/functions';
import { runWorker, unsupportedKind, type WorkerOutcome } from '../shared/flows/worker';
import { loggerFrom, type Logger } from '../shared/logging';
import type { Envelope, MessageKind } from '../shared/messaging/envelope';
import type { QueueSender } from '../shared/messaging/queues';
import { runtime, type Runtime } from '../shared/runtime';
import { serviceBusMetadata } from './table';

export interface QueueWorkerOptions {
  /** Flow name in logs and the Failures table. */
  flow: string;
  /** The one message kind this queue carries; any other kind is a business error. */
  kind: MessageKind;
  queue: 'toJasci' | 'toBc';
  handle: (rt: Runtime, log: Logger, envelope: Envelope) => Promise<WorkerOutcome>;
}

/**
 * Builds the handler of a queue trigger: it runs each message through `handle` with the shared
 * failure handling, and sends retry copies back to the queue the message came from.
 */
export function queueWorkerHandler(options: QueueWorkerOptions) {
  return async (message: unknown, context: InvocationContext): Promise<WorkerOutcome> => {
    const rt = await runtime();
    const log = loggerFrom(context);
    const sender: QueueSender = rt[options.queue];
    const queueName =
      options.queue === 'toJasci' ? rt.settings.QUEUE_TO_JASCI : rt.settings.QUEUE_TO_BC;
    const input = { flow: options.flow, body: message, ...serviceBusMetadata(context) };
    return runWorker(rt, log, sender, input, async (envelope) => {
      if (envelope.kind !== options.kind) throw unsupportedKind(envelope, queueName);
      return options.handle(rt, log, envelope);
    });
  };
}
