import { postShipment } from '../shared/flows/shipments/post';
import { queueWorkerHandler } from './queueWorker';
import { serviceBusConnection, type FunctionSpec } from './table';

/**
 * Keeps a lease for a retry until the whole retry schedule has passed, and at least until BC has
 * ended the unanswered request (10 minutes), plus five minutes either way.
 */
function leaseHoldMs(retryDelaysSeconds: readonly number[]): number {
  const scheduleSeconds = retryDelaysSeconds.reduce((sum, delay) => sum + delay, 0);
  return (Math.max(scheduleSeconds, 600) + 300) * 1000;
}

/** Queue trigger on `to-bc`: posts JASCI's warehouse events in BC. */
export const toBcWorkerHandler = queueWorkerHandler({
  flow: 'shipments',
  kind: 'shipment.post',
  queue: 'toBc',
  handle: (rt, log, envelope) =>
    postShipment(
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
    ),
});

export const toBcWorker: FunctionSpec = {
  name: 'toBcWorker',
  trigger: { type: 'serviceBus', queueName: '%QUEUE_TO_BC%', connection: serviceBusConnection },
  handler: toBcWorkerHandler,
};
