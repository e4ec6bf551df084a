import type { InvocationContext } from '@azure/functions';
import { postShipment } from '../shared/flows/shipments/post';
import { runWorker, unsupportedKind } from '../shared/flows/worker';
import { loggerFrom } from '../shared/logging';
import { runtime } from '../shared/runtime';
import { serviceBusConnection, serviceBusMetadata, type FunctionSpec } from './table';

/**
 * Keeps a lease for a retry until the whole retry schedule has passed, and at least until BC has
 * ended the unanswered request (10 minutes), plus five minutes either way.
 */
function leaseHoldMs(retryDelaysSeconds: readonly number[]): number {
  const scheduleSeconds = retryDelaysSeconds.reduce((sum, delay) => sum + delay, 0);
  return (Math.max(scheduleSeconds, 600) + 300) * 1000;
}

/** Queue trigger on `to-bc`: posts JASCI's warehouse events in BC. */
export async function toBcWorkerHandler(
  message: unknown,
  context: InvocationContext,
): Promise<string> {
  const rt = await runtime();
  const log = loggerFrom(context);
  const meta = serviceBusMetadata(context);
  return runWorker(
    rt,
    log,
    rt.toBc,
    { flow: 'shipments', body: message, ...meta },
    async (envelope) => {
      if (envelope.kind !== 'shipment.post')
        throw unsupportedKind(envelope, rt.settings.QUEUE_TO_BC);
      return postShipment(
        {
          bc: rt.bc,
          events: rt.eventLedger,
          locks: rt.documentLocks,
          leaseHoldMs: leaseHoldMs(rt.settings.RETRY_DELAYS_SECONDS),
          mode: rt.settings.CONNECTOR_MODE,
          log,
          store: rt.store,
        },
        envelope,
      );
    },
  );
}

export const toBcWorker: FunctionSpec = {
  name: 'toBcWorker',
  trigger: { type: 'serviceBus', queueName: '%QUEUE_TO_BC%', connection: serviceBusConnection },
  handler: toBcWorkerHandler,
};
