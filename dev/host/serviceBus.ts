import type { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import type { ServiceBusQueueHandler } from '@azure/functions';
import { createContext, type HostLogListener } from './context';

export interface QueueTrigger {
  functionName: string;
  queueName: string;
  handler: ServiceBusQueueHandler;
}

const deadLetterSuffix = '/$DeadLetterQueue';

function triggerMetadata(message: ServiceBusReceivedMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    correlationId: message.correlationId,
    contentType: message.contentType,
    subject: message.subject,
    deliveryCount: message.deliveryCount,
    enqueuedTimeUtc: message.enqueuedTimeUtc,
    sequenceNumber: message.sequenceNumber?.toString(),
    applicationProperties: message.applicationProperties ?? {},
    deadLetterReason: message.deadLetterReason,
    deadLetterErrorDescription: message.deadLetterErrorDescription,
  };
}

/**
 * Feeds a queue (or its dead-letter queue) to a handler in peek-lock mode, settling like the
 * Functions host with `autoCompleteMessages`: a normal return completes the message and a throw
 * abandons it, so Service Bus redelivers it and dead-letters it after the maximum delivery count.
 */
export function startQueueTrigger(
  client: ServiceBusClient,
  trigger: QueueTrigger,
  listener: HostLogListener,
  maxConcurrentCalls: number,
): { close(): Promise<void> } {
  const deadLetter = trigger.queueName.endsWith(deadLetterSuffix);
  const queue = deadLetter
    ? trigger.queueName.slice(0, -deadLetterSuffix.length)
    : trigger.queueName;
  const receiver = client.createReceiver(queue, deadLetter ? { subQueueType: 'deadLetter' } : {});
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        const context = createContext(trigger.functionName, listener, triggerMetadata(message));
        try {
          await trigger.handler(message.body, context);
        } catch (error) {
          context.error('Function failed; message abandoned', {
            messageId: message.messageId,
            deliveryCount: message.deliveryCount,
            error: error instanceof Error ? error.message : String(error),
          });
          await receiver.abandonMessage(message);
          return;
        }
        await receiver.completeMessage(message);
      },
      processError: async (args) => {
        listener({
          time: new Date(),
          level: 'warning',
          functionName: trigger.functionName,
          invocationId: '',
          message: 'Service Bus receiver error',
          fields: { queue: trigger.queueName, source: args.errorSource, error: args.error.message },
        });
      },
    },
    { autoCompleteMessages: false, maxConcurrentCalls },
  );
  return {
    async close() {
      await subscription.close();
      await receiver.close();
    },
  };
}
