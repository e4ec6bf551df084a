import type { InvocationContext } from '@azure/functions';
import { handleDeadLetter } from '../shared/flows/deadLetter';
import { loggerFrom } from '../shared/logging';
import { runtime } from '../shared/runtime';
import { serviceBusConnection, serviceBusMetadata, type FunctionSpec } from './table';

function deadLetterHandler(queueSetting: 'QUEUE_TO_JASCI' | 'QUEUE_TO_BC') {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const rt = await runtime();
    const meta = serviceBusMetadata(context);
    await handleDeadLetter(
      { failures: rt.failures, archive: rt.store, alerter: rt.alerter, log: loggerFrom(context) },
      rt.settings[queueSetting],
      { body: message, ...meta },
    );
  };
}

/** Dead-letter queue triggers: archive, record and alert each message Service Bus gave up on. */
export const toJasciDeadLetter: FunctionSpec = {
  name: 'toJasciDeadLetter',
  trigger: {
    type: 'serviceBus',
    queueName: '%QUEUE_TO_JASCI%/$DeadLetterQueue',
    connection: serviceBusConnection,
  },
  handler: deadLetterHandler('QUEUE_TO_JASCI'),
};

export const toBcDeadLetter: FunctionSpec = {
  name: 'toBcDeadLetter',
  trigger: {
    type: 'serviceBus',
    queueName: '%QUEUE_TO_BC%/$DeadLetterQueue',
    connection: serviceBusConnection,
  },
  handler: deadLetterHandler('QUEUE_TO_BC'),
};
