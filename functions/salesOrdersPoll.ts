import type { InvocationContext, Timer } from '@azure/functions';
import { pollSalesOrders } from '../shared/flows/salesOrders/poll';
import { loggerFrom } from '../shared/logging';
import { failureDepsFor } from '../shared/flows/worker';
import { handleFailure } from '../shared/messaging/failureHandling';
import { runtime } from '../shared/runtime';
import type { FunctionSpec } from './table';

/** Timer: reads released sales orders changed since the cursor and queues one message per order. */
export async function salesOrdersPollHandler(
  _timer: Timer,
  context: InvocationContext,
): Promise<void> {
  const rt = await runtime();
  const log = loggerFrom(context);
  await pollSalesOrders({
    bc: rt.bc,
    cursors: rt.cursors,
    toJasci: rt.toJasci,
    log,
    now: () => new Date(),
    reportInvalid: (envelope, error) =>
      handleFailure(failureDepsFor(rt, log, rt.toJasci), 'salesOrders', envelope, error),
  });
}

export const salesOrdersPoll: FunctionSpec = {
  name: 'salesOrdersPoll',
  trigger: { type: 'timer', schedule: '%SALES_ORDER_POLL_SCHEDULE%' },
  handler: salesOrdersPollHandler,
};
