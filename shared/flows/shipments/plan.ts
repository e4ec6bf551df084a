import { BusinessCode, BusinessError } from '../../errors';
import type { JasciShipmentEvent } from '../../jasci/wire';
import type { OrderLine, SalesOrder } from './bcOrder';

/*
 * The pure half of posting a shipment: checking a JASCI shipment against the BC order, working out
 * which lines to change, and judging from BC's shipped quantities whether a post already happened.
 */

/** BC stores quantities with 5 decimals; sums are rounded to that so 0.1 + 0.2 compares as 0.3. */
const QUANTITY_DECIMALS = 5;
export const QUANTITY_TOLERANCE = 10 ** -(QUANTITY_DECIMALS + 1);

export function roundQuantity(value: number): number {
  const factor = 10 ** QUANTITY_DECIMALS;
  return Math.round(value * factor) / factor;
}

/** One BC order line and the quantity JASCI shipped on it, summed over the event's lines. */
export interface ShipmentLine {
  sequence: number;
  product: string;
  uom: string;
  quantity: number;
}

/** Sums the event's quantities per BC line sequence (`lineNumber`), keeping the event's order. */
export function shippedPerLine(event: JasciShipmentEvent): Map<number, ShipmentLine> {
  const lines = new Map<number, ShipmentLine>();
  for (const line of event.lines) {
    const existing = lines.get(line.lineNumber);
    if (existing && !sameCode(existing.product, line.product)) {
      throw new BusinessError(
        BusinessCode.UnknownItem,
        `Shipment ${event.shipmentNumber} reports line ${line.lineNumber} twice, with items ` +
          `${existing.product} and ${line.product}; correct the event in JASCI, then replay it`,
        { details: { shipmentNumber: event.shipmentNumber, lineNumber: line.lineNumber } },
      );
    }
    lines.set(line.lineNumber, {
      sequence: line.lineNumber,
      product: line.product,
      uom: line.uom,
      quantity: roundQuantity((existing?.quantity ?? 0) + line.quantity),
    });
  }
  return lines;
}

/**
 * Rejects what the chosen connector mode cannot post. BC API v2.0 has no lot or serial fields, so
 * in standard mode a tracked line needs the companion extension.
 */
export function checkModeSupports(event: JasciShipmentEvent, mode: 'standard' | 'extension'): void {
  if (mode === 'extension') {
    // NOTE: posting through the companion extension's API is not built yet.
    throw new BusinessError(
      BusinessCode.NeedsExtension,
      `Shipment ${event.shipmentNumber} cannot be posted: posting shipments through the companion ` +
        'BC extension (CONNECTOR_MODE=extension) is not implemented yet; set CONNECTOR_MODE=standard ' +
        'to post shipments without lots or serials, then replay',
      { details: { shipmentNumber: event.shipmentNumber, mode } },
    );
  }
  for (const line of event.lines) {
    const tracking = [
      line.lots !== undefined && line.lots.length > 0 ? 'lot numbers' : undefined,
      line.serials !== undefined && line.serials.length > 0 ? 'serial numbers' : undefined,
    ].filter((item) => item !== undefined);
    if (tracking.length === 0) continue;
    throw new BusinessError(
      BusinessCode.NeedsExtension,
      `Shipment ${event.shipmentNumber} line ${line.lineNumber} (item ${line.product}) carries ` +
        `${tracking.join(' and ')}, which BC API v2.0 cannot post; install the companion BC ` +
        'extension and use CONNECTOR_MODE=extension for item-tracked shipments',
      {
        details: {
          shipmentNumber: event.shipmentNumber,
          lineNumber: line.lineNumber,
          missingExtension: 'companion BC extension (CONNECTOR_MODE=extension)',
        },
      },
    );
  }
}

/** Line changes to make on the order before calling shipAndInvoice. */
export interface ShipmentPlan {
  /** Lines to ship now, each with the quantity JASCI shipped. */
  ship: { line: OrderLine; quantity: number }[];
  /** Other lines whose Qty. to Ship or Qty. to Invoice must be set to 0 so they post nothing. */
  reset: OrderLine[];
  /** Per line sequence, the shippedQuantity BC shows once this shipment is posted. */
  expected: Record<string, number>;
}

/**
 * Checks every shipped line against the open order and plans the line updates. Throws a
 * BusinessError for a line the order lacks, a different item, a different unit of measure, or a
 * quantity above what is still open.
 */
export function planShipment(event: JasciShipmentEvent, order: SalesOrder): ShipmentPlan {
  const shipped = shippedPerLine(event);
  const plan: ShipmentPlan = { ship: [], reset: [], expected: {} };
  for (const item of shipped.values()) {
    const line = matchLine(event, order, item);
    plan.ship.push({ line, quantity: item.quantity });
    plan.expected[String(line.sequence)] = roundQuantity(line.shippedQuantity + item.quantity);
  }
  for (const line of order.salesOrderLines) {
    if (shipped.has(line.sequence) || line.quantity === 0) continue;
    // BC fills Qty. to Ship with the outstanding quantity, and shipAndInvoice also invoices
    // shipped but uninvoiced quantities, so every other line is set to post nothing.
    if (line.shipQuantity !== 0 || line.invoiceQuantity !== 0) plan.reset.push(line);
  }
  return plan;
}

function matchLine(event: JasciShipmentEvent, order: SalesOrder, item: ShipmentLine): OrderLine {
  const where = `Shipment ${event.shipmentNumber} line ${item.sequence} (item ${item.product})`;
  const details = {
    shipmentNumber: event.shipmentNumber,
    orderNumber: order.number,
    lineNumber: item.sequence,
    product: item.product,
  };
  const line = order.salesOrderLines.find((candidate) => candidate.sequence === item.sequence);
  if (!line) {
    const known = order.salesOrderLines.map((candidate) => candidate.sequence).join(', ');
    throw new BusinessError(
      BusinessCode.UnknownItem,
      `${where}: sales order ${order.number} has no line ${item.sequence} (its lines are ` +
        `${known || 'none'}); check the line numbers JASCI received, then replay`,
      { details },
    );
  }
  if (line.lineType !== 'Item' || !sameCode(line.lineObjectNumber, item.product)) {
    const bcItem =
      line.lineType === 'Item'
        ? `item ${line.lineObjectNumber}`
        : `a ${line.lineType || 'blank'} line`;
    throw new BusinessError(
      BusinessCode.UnknownItem,
      `${where}: line ${item.sequence} of sales order ${order.number} is ${bcItem}, not item ` +
        `${item.product}; correct the order in BC or the event in JASCI, then replay`,
      { details: { ...details, bcItem: line.lineObjectNumber, bcLineType: line.lineType } },
    );
  }
  if (line.unitOfMeasureCode !== '' && !sameCode(line.unitOfMeasureCode, item.uom)) {
    throw new BusinessError(
      BusinessCode.InvalidPayload,
      `${where}: shipped in unit ${item.uom}, but line ${item.sequence} of sales order ` +
        `${order.number} is in ${line.unitOfMeasureCode} and the connector does not convert units; ` +
        'correct the unit in JASCI, then replay',
      { details: { ...details, uom: item.uom, bcUom: line.unitOfMeasureCode } },
    );
  }
  const open = roundQuantity(line.quantity - line.shippedQuantity);
  if (item.quantity > open + QUANTITY_TOLERANCE) {
    throw new BusinessError(
      BusinessCode.QuantityAboveOpen,
      `${where}: shipped ${item.quantity}, but only ${open} is open on line ${item.sequence} of ` +
        `sales order ${order.number} (ordered ${line.quantity}, already shipped ` +
        `${line.shippedQuantity}); correct the quantity in BC or JASCI, then replay`,
      { details: { ...details, requested: item.quantity, open } },
    );
  }
  return line;
}

/** BC codes (item numbers, units of measure) are upper-case; JASCI may send them in any case. */
function sameCode(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}

/**
 * Judges from BC's current shipped quantities whether the shipment recorded in `expected` was
 * posted: `posted` when every line reached its expected quantity, `notPosted` when no line moved
 * past its quantity before the shipment, `mixed` for anything in between (or a missing line).
 * BC posts a shipment's lines in one transaction, so `mixed` means something else changed the
 * order meanwhile.
 */
export function assessPosting(
  lines: readonly OrderLine[],
  expected: Readonly<Record<string, number>>,
  shipped: ReadonlyMap<number, ShipmentLine>,
): 'posted' | 'notPosted' | 'mixed' {
  let reached = 0;
  let untouched = 0;
  const entries = Object.entries(expected);
  for (const [sequence, target] of entries) {
    const line = lines.find((candidate) => String(candidate.sequence) === sequence);
    if (!line) return 'mixed';
    const before = target - (shipped.get(Number(sequence))?.quantity ?? 0);
    if (line.shippedQuantity >= target - QUANTITY_TOLERANCE) reached += 1;
    else if (line.shippedQuantity <= before + QUANTITY_TOLERANCE) untouched += 1;
    else return 'mixed';
  }
  if (reached === entries.length) return 'posted';
  if (untouched === entries.length) return 'notPosted';
  return 'mixed';
}
