import { deliverSalesOrder } from '../shared/flows/salesOrders/deliver';
import { queueWorkerHandler } from './queueWorker';
import { serviceBusConnection, type FunctionSpec } from './table';

/** Queue trigger on `to-jasci`: maps each BC snapshot and sends it to JASCI. */
export const toJasciWorkerHandler = queueWorkerHandler({
  flow: 'salesOrders',
  kind: 'salesOrder.upsert',
  queue: 'toJasci',
  handle: (rt, log, envelope) =>
    deliverSalesOrder(
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
    ),
});

export const toJasciWorker: FunctionSpec = {
  name: 'toJasciWorker',
  trigger: { type: 'serviceBus', queueName: '%QUEUE_TO_JASCI%', connection: serviceBusConnection },
  handler: toJasciWorkerHandler,
};
