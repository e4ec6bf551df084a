import { BusinessCode, BusinessError } from '../../errors';
import type { JasciShipmentEvent } from '../../jasci/wire';
import {
  listSalesShipments,
  type SalesOrder,
  type SalesShipment,
  type ShipmentBcClient,
} from './bcOrder';
import { assessPosting, type ShipmentLine } from './plan';
import { shipmentsReachExpected } from './postedShipments';

/** Whether BC shows a recorded shipment: fully, not at all, or in part. */
export type Verdict = 'posted' | 'notPosted' | 'mixed';

/**
 * Judges from BC whether the shipment recorded in `expected` was posted. `order` is a fresh read
 * of the sales order, or undefined when the order is gone. A vanished order is posted only if
 * its posted shipments add up to the expected quantities. Otherwise it raises UNKNOWN_ORDER,
 * because nothing can be posted to an order that no longer exists.
 */
export async function judgePosting(
  bc: ShipmentBcClient,
  event: JasciShipmentEvent,
  shipped: ReadonlyMap<number, ShipmentLine>,
  expected: Readonly<Record<string, number>>,
  order: SalesOrder | undefined,
): Promise<Verdict> {
  if (order) return assessPosting(order.salesOrderLines, expected, shipped);
  const shipments = await listSalesShipments(bc, event.erpOrderNumber);
  if (shipmentsReachExpected(shipments, expected)) return 'posted';
  throw unknownOrderError(event, shipments);
}

/** Builds the UNKNOWN_ORDER error, listing the order's posted shipments read from BC. */
export async function unknownOrder(
  bc: ShipmentBcClient,
  event: JasciShipmentEvent,
): Promise<BusinessError> {
  return unknownOrderError(event, await listSalesShipments(bc, event.erpOrderNumber));
}

export function unknownOrderError(
  event: JasciShipmentEvent,
  shipments: readonly SalesShipment[],
): BusinessError {
  const { erpOrderNumber, shipmentNumber } = event;
  const numbers = shipments.map((shipment) => shipment.number);
  const history =
    numbers.length === 0
      ? 'and it has no posted shipments'
      : `and its posted shipments (${numbers.join(', ')}) do not account for this shipment, ` +
        'so it was fully posted or deleted in BC';
  return new BusinessError(
    BusinessCode.UnknownOrder,
    `Shipment ${shipmentNumber}: sales order ${erpOrderNumber} is not an open order in BC ` +
      `${history}; check erpOrderNumber in JASCI or the order in BC, then replay`,
    { details: { orderNumber: erpOrderNumber, shipmentNumber, postedShipments: numbers } },
  );
}

/** Builds the POSTING_UNCERTAIN error for an order that shows only part of a shipment. */
export function postingUncertainError(
  event: JasciShipmentEvent,
  expected: Readonly<Record<string, number>> | undefined,
  cause?: unknown,
): BusinessError {
  const { erpOrderNumber, shipmentNumber } = event;
  return new BusinessError(
    BusinessCode.PostingUncertain,
    `Shipment ${shipmentNumber}: sales order ${erpOrderNumber} shows only part of the quantities ` +
      'this shipment posts, so something else changed the order while it was being posted. ' +
      'Compare the order and its posted shipments with the event, then replay it or mark the ' +
      'failure resolved',
    { cause, details: { orderNumber: erpOrderNumber, shipmentNumber, expected } },
  );
}
