import { createHash } from 'node:crypto';
import { canonicalJson } from '../../canonicalJson';
import type { SalesOrderLineSnapshot, SalesOrderSnapshot } from '../../bc/salesOrder';
import { isReleased } from '../../bc/status';
import { BusinessCode, BusinessError } from '../../errors';
import * as v from 'valibot';
import {
  issueField,
  issueMessage,
  jasciOutboundOrderSchema,
  type JasciOrderLine,
  type JasciOutboundOrder,
  type JasciShipTo,
} from '../../jasci/wire';

/*
 * Mapping of a BC sales order snapshot to JASCI outbound orders. Pure: no I/O, no clock, no
 * environment, so that a replay with a corrected warehouse map gives the corrected result.
 */

/** BC line quantities have at most 5 decimals (DecimalPlaces 0:5), so rounding removes float noise. */
const QUANTITY_DECIMALS = 5;

interface Problem {
  code: BusinessCode;
  text: string;
}

interface WarehouseLine {
  warehouseCode: string;
  line: JasciOrderLine;
}

/**
 * Maps a released sales order to one JASCI order per warehouse. Each item line carries its ordered
 * quantity, because JASCI counts what it has shipped against the order itself: the shipments the
 * connector posts in BC then leave the payload unchanged, so they cause no update in JASCI.
 * Non-item lines (comments, G/L accounts, resources, charges) are left out. Returns [] for an order
 * that is not released or has nothing outstanding. Throws BusinessError naming every line that
 * cannot be sent.
 */
// NOTE: a line partly shipped in BC before the order first reaches JASCI is still sent with its
// ordered quantity, so JASCI may ship it again; BC then rejects the excess as QUANTITY_ABOVE_OPEN.
export function mapSalesOrder(
  order: SalesOrderSnapshot,
  warehouses: ReadonlyMap<string, string>,
  defaultWarehouseCode?: string,
): JasciOutboundOrder[] {
  if (!isReleased(order.status)) return [];
  const itemLines = order.lines
    .filter((line) => line.lineType === 'Item' && line.quantity > 0)
    .sort((a, b) => a.sequence - b.sequence);
  if (!itemLines.some((line) => outstandingQuantity(line) > 0)) return [];

  const problems = headerProblems(order);
  const mapped: WarehouseLine[] = [];
  for (const line of itemLines) {
    const result = mapLine(line, warehouses, defaultWarehouseCode);
    if ('problem' in result) problems.push(result.problem);
    else mapped.push(result);
  }
  const first = problems[0];
  if (first !== undefined) {
    const list = problems.map((problem) => problem.text).join('; ');
    throw new BusinessError(
      first.code,
      `Sales order ${order.number} cannot be sent to JASCI: ${list}`,
      {
        details: { orderNumber: order.number, problems: problems.map((problem) => problem.text) },
      },
    );
  }
  const orders = splitByWarehouse(
    order,
    mapped,
    orderWarehouses(order, warehouses, defaultWarehouseCode),
  );
  for (const jasciOrder of orders) checkWireFormat(order.number, jasciOrder);
  return orders;
}

/**
 * Checks a mapped order against the JASCI wire schema, so that a value the checks above let
 * through (a line number below 1, a repeated line number, a non-finite quantity) stops the order
 * here instead of reaching JASCI.
 */
function checkWireFormat(bcNumber: string, jasciOrder: JasciOutboundOrder): void {
  const result = v.safeParse(jasciOutboundOrderSchema, jasciOrder);
  if (result.success) return;
  const problems = result.issues.map(
    (issue) => `${issueField(issue) ?? '(order)'}: ${issueMessage(issue)}`,
  );
  throw new BusinessError(
    BusinessCode.InvalidPayload,
    `Sales order ${bcNumber} maps to JASCI order ${jasciOrder.orderNumber}, which breaks the JASCI order format: ${problems.join('; ')}; correct the sales order in BC`,
    { details: { orderNumber: bcNumber, jasciOrderNumber: jasciOrder.orderNumber, problems } },
  );
}

/**
 * Returns the warehouses of every item line, shipped or not. Whether an order is split (and so
 * how its JASCI order numbers read) must not change once part of it has shipped, or a later
 * version would reach JASCI under a new order number.
 */
function orderWarehouses(
  order: SalesOrderSnapshot,
  warehouses: ReadonlyMap<string, string>,
  defaultWarehouseCode: string | undefined,
): Set<string> {
  const codes = new Set<string>();
  for (const line of order.lines) {
    if (line.lineType !== 'Item') continue;
    const warehouse = warehouseFor(line, warehouses, defaultWarehouseCode);
    if (typeof warehouse === 'string') codes.add(warehouse);
  }
  return codes;
}

/**
 * Fills each line's location code from its id. A line whose id is not a BC location keeps no
 * code, so the worker reports it as an unknown location.
 */
export function withLocationCodes(
  order: SalesOrderSnapshot,
  locations: ReadonlyMap<string, string> | undefined,
): SalesOrderSnapshot {
  const lines = order.lines.map((line) => {
    if (line.locationCode !== undefined || line.locationId === undefined) return line;
    const code = locations?.get(line.locationId);
    return code === undefined ? line : { ...line, locationCode: code };
  });
  return { ...order, lines };
}

/** Returns quantity - shippedQuantity, rounded to BC's quantity precision. */
export function outstandingQuantity(line: SalesOrderLineSnapshot): number {
  const factor = 10 ** QUANTITY_DECIMALS;
  return Math.round((line.quantity - line.shippedQuantity) * factor) / factor;
}

/**
 * Returns the SHA-256 (hex) of the orders as canonical JSON, with object keys sorted, so equal
 * content hashes equally whatever the key order.
 */
export function payloadHash(orders: readonly JasciOutboundOrder[]): string {
  return createHash('sha256').update(canonicalJson(orders)).digest('hex');
}

function headerProblems(order: SalesOrderSnapshot): Problem[] {
  const problems: Problem[] = [];
  if (order.customerNumber === undefined) {
    problems.push({
      code: BusinessCode.InvalidPayload,
      text: 'customerNumber is blank; set the customer on the order in BC',
    });
  }
  const { shipTo } = order;
  const missing = (['name', 'addressLine1', 'city', 'postCode', 'country'] as const).filter(
    (field) => shipTo[field] === undefined,
  );
  if (missing.length > 0) {
    // NOTE: JASCI's order format requires a post code, so orders to countries without post codes
    // are rejected here until the wire format allows it to be left out.
    problems.push({
      code: BusinessCode.InvalidPayload,
      text: `ship-to ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} blank; fill in the ship-to address on the order in BC`,
    });
  }
  return problems;
}

function mapLine(
  line: SalesOrderLineSnapshot,
  warehouses: ReadonlyMap<string, string>,
  defaultWarehouseCode: string | undefined,
): WarehouseLine | { problem: Problem } {
  const label = `line ${line.sequence}${line.lineObjectNumber ? ` (item ${line.lineObjectNumber})` : ''}`;
  const invalid = (text: string, code: BusinessCode = BusinessCode.InvalidPayload) => ({
    problem: { code, text: `${label}: ${text}` },
  });
  if (line.lineObjectNumber === undefined) {
    return invalid('item number (lineObjectNumber) is blank; select the item on the line in BC');
  }
  if (line.unitOfMeasureCode === undefined) {
    return invalid('unitOfMeasureCode is blank; set the unit of measure on the line in BC');
  }
  if (line.itemVariantId !== undefined) {
    // NOTE: the JASCI order line has no variant field, and sending the base item would ship the
    // wrong goods, so variant lines stop the order until the wire format carries a variant.
    return invalid(
      `has item variant ${line.itemVariantId}, which the JASCI order format cannot carry; remove the variant in BC or ship this line outside the connector`,
      BusinessCode.UnknownItem,
    );
  }
  const warehouse = warehouseFor(line, warehouses, defaultWarehouseCode);
  if (typeof warehouse !== 'string')
    return { problem: { ...warehouse, text: `${label}: ${warehouse.text}` } };
  const mappedLine: JasciOrderLine = {
    lineNumber: line.sequence,
    product: line.lineObjectNumber,
    quantity: line.quantity,
    uom: line.unitOfMeasureCode,
  };
  if (line.description !== undefined) mappedLine.description = line.description;
  return { warehouseCode: warehouse, line: mappedLine };
}

/** Returns the JASCI warehouse code of a line, or the problem that prevents choosing one. */
function warehouseFor(
  line: SalesOrderLineSnapshot,
  warehouses: ReadonlyMap<string, string>,
  defaultWarehouseCode: string | undefined,
): string | Problem {
  if (line.locationId === undefined && line.locationCode === undefined) {
    // WarehouseMap keeps a row for the blank location under the code ''.
    const blankWarehouse = warehouses.get('') ?? defaultWarehouseCode;
    if (blankWarehouse !== undefined && blankWarehouse !== '') return blankWarehouse;
    return {
      code: BusinessCode.UnmappedLocation,
      text: 'location is blank (locationId is the zero GUID) and no default warehouse is configured; set the location on the line in BC, or set DEFAULT_WAREHOUSE_CODE',
    };
  }
  if (line.locationCode === undefined) {
    return {
      code: BusinessCode.UnknownLocation,
      text: `locationId ${line.locationId} is not a BC location; check the location on the line in BC`,
    };
  }
  const warehouse = lookUpWarehouse(warehouses, line.locationCode);
  if (warehouse !== undefined) return warehouse;
  return {
    code: BusinessCode.UnmappedLocation,
    text: `location ${line.locationCode} has no JASCI warehouse; add a WarehouseMap row for ${line.locationCode}`,
  };
}

/** BC codes are upper case, but a map row typed in lower case still matches. */
function lookUpWarehouse(
  warehouses: ReadonlyMap<string, string>,
  locationCode: string,
): string | undefined {
  const exact = warehouses.get(locationCode);
  if (exact !== undefined) return exact;
  const wanted = locationCode.toUpperCase();
  for (const [code, warehouse] of warehouses) {
    if (code.toUpperCase() === wanted) return warehouse;
  }
  return undefined;
}

function splitByWarehouse(
  order: SalesOrderSnapshot,
  mapped: WarehouseLine[],
  allWarehouses: ReadonlySet<string>,
): JasciOutboundOrder[] {
  const byWarehouse = new Map<string, JasciOrderLine[]>();
  for (const { warehouseCode, line } of mapped) {
    const lines = byWarehouse.get(warehouseCode) ?? [];
    lines.push(line);
    byWarehouse.set(warehouseCode, lines);
  }
  const split = allWarehouses.size > 1;
  return [...byWarehouse].map(([warehouseCode, lines]) =>
    header(order, split ? `${order.number}-${warehouseCode}` : order.number, warehouseCode, lines),
  );
}

function header(
  order: SalesOrderSnapshot,
  orderNumber: string,
  warehouseCode: string,
  lines: JasciOrderLine[],
): JasciOutboundOrder {
  // headerProblems has rejected a blank customer number and ship-to fields before this point.
  const result: JasciOutboundOrder = {
    orderNumber,
    erpOrderNumber: order.number,
    customerCode: order.customerNumber ?? '',
    warehouseCode,
    shipTo: { ...order.shipTo } as JasciShipTo,
    lines,
  };
  // NOTE: standard API v2.0 has no shipping agent, so carrier and carrierService are sent only
  // when the companion extension's API supplies them. They pass through without a carrier map.
  if (order.shippingAgentCode !== undefined) result.carrier = order.shippingAgentCode;
  if (order.shippingAgentServiceCode !== undefined)
    result.carrierService = order.shippingAgentServiceCode;
  // The API does not expose BC's Promised Delivery Date, so the requested date is sent instead.
  if (order.requestedDeliveryDate !== undefined) {
    result.promisedDeliveryDate = order.requestedDeliveryDate;
  }
  if (order.customerReference !== undefined) result.customerReference = order.customerReference;
  return result;
}
