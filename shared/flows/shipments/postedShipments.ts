import type { SalesShipment } from './bcOrder';
import { QUANTITY_TOLERANCE, roundQuantity, type ShipmentLine } from './plan';

/*
 * Pure checks on an order's posted sales shipments, read back from BC after a posting.
 */

/**
 * Sums the posted shipment lines per order line sequence. Returns undefined when a shipment was
 * read without its lines. BC copies the order's Line No. to the posted shipment line.
 */
export function shippedFromShipments(
  shipments: readonly SalesShipment[],
): Map<number, number> | undefined {
  const totals = new Map<number, number>();
  for (const shipment of shipments) {
    if (!shipment.salesShipmentLines) return undefined;
    for (const line of shipment.salesShipmentLines) {
      totals.set(line.sequence, roundQuantity((totals.get(line.sequence) ?? 0) + line.quantity));
    }
  }
  return totals;
}

/** True when the posted shipments account for every expected shipped quantity. */
export function shipmentsReachExpected(
  shipments: readonly SalesShipment[],
  expected: Readonly<Record<string, number>>,
): boolean {
  const totals = shippedFromShipments(shipments);
  if (!totals || shipments.length === 0) return false;
  return Object.entries(expected).every(
    ([sequence, target]) => (totals.get(Number(sequence)) ?? 0) >= target - QUANTITY_TOLERANCE,
  );
}

/**
 * Picks the posted shipment that most likely came from this event: the newest one whose lines
 * carry exactly the event's quantities, else the newest of all. Returns undefined for none.
 */
export function pickShipmentNumber(
  shipments: readonly SalesShipment[],
  shipped: ReadonlyMap<number, ShipmentLine>,
): string | undefined {
  const newestFirst = [...shipments].sort(
    (a, b) =>
      b.lastModifiedDateTime.localeCompare(a.lastModifiedDateTime) ||
      b.number.localeCompare(a.number),
  );
  const matching = newestFirst.find((shipment) => carriesExactly(shipment, shipped));
  return (matching ?? newestFirst[0])?.number;
}

function carriesExactly(
  shipment: SalesShipment,
  shipped: ReadonlyMap<number, ShipmentLine>,
): boolean {
  const lines = (shipment.salesShipmentLines ?? []).filter((line) => line.quantity !== 0);
  if (lines.length !== shipped.size) return false;
  return lines.every(
    (line) =>
      Math.abs((shipped.get(line.sequence)?.quantity ?? 0) - line.quantity) <= QUANTITY_TOLERANCE,
  );
}
