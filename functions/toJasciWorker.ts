import type { InvocationContext } from '@azure/functions';
import { deliverSalesOrder } from '../shared/flows/salesOrders/deliver';
import { runWorker, unsupportedKind } from '../shared/flows/worker';
import { loggerFrom } from '../shared/logging';
import { runtime } from '../shared/runtime';
import { serviceBusConnection, serviceBusMetadata, type FunctionSpec } from './table';

/** Queue trigger on `to-jasci`: maps each BC snapshot and sends it to JASCI. */
export async function toJasciWorkerHandler(
  message: unknown,
  context: InvocationContext,
): Promise<string> {
  const rt = await runtime();
  const log = loggerFrom(context);
  const meta = serviceBusMetadata(context);
  return runWorker(
    rt,
    log,
    rt.toJasci,
    { flow: 'salesOrders', body: message, ...meta },
    async (envelope) => {
      if (envelope.kind !== 'salesOrder.upsert')
        throw unsupportedKind(envelope, rt.settings.QUEUE_TO_JASCI);
      return deliverSalesOrder(
        {
          jasci: rt.jasci,
          ledger: rt.documentLedger,
          warehouseMap: rt.warehouseMap,
          defaultWarehouseCode: rt.settings.DEFAULT_WAREHOUSE_CODE,
          store: rt.store,
          locks: rt.documentLocks,
          log,
        },
        envelope,
      );
    },
  );
}

export const toJasciWorker: FunctionSpec = {
  name: 'toJasciWorker',
  trigger: { type: 'serviceBus', queueName: '%QUEUE_TO_JASCI%', connection: serviceBusConnection },
  handler: toJasciWorkerHandler,
};
