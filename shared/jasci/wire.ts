import * as v from 'valibot';

/**
 * The JASCI wire format that the connector defines, because JASCI publishes no API reference:
 * outbound order upsert and cancel bodies, the order read model, and webhook events.
 * `docs/jasci-contract.md` describes the same contract for people.
 */

/** Webhook event names, as JASCI's webhook maintenance page lists them. */
export const JasciEventName = {
  ShipmentClosed: 'shipment.closed',
  InventoryUpdated: 'inventory.updated',
  OrderStatus: 'order.status',
  ReturnReceived: 'return.received',
  PickConfirmed: 'pick.confirmed',
} as const;
export type JasciEventName = (typeof JasciEventName)[keyof typeof JasciEventName];

/** Order status values the connector expects in `GET /V1/outbound-orders/{orderNumber}`. */
export const JasciOrderStatus = {
  Open: 'OPEN',
  PartiallyShipped: 'PARTIALLY_SHIPPED',
  Shipped: 'SHIPPED',
  Cancelled: 'CANCELLED',
} as const;
export type JasciOrderStatus = (typeof JasciOrderStatus)[keyof typeof JasciOrderStatus];

export interface JasciShipTo {
  name: string;
  contact?: string;
  addressLine1: string;
  addressLine2?: string;
  city: string;
  state?: string;
  postCode: string;
  country: string;
  phone?: string;
  email?: string;
}

export interface JasciOrderLine {
  /** BC line sequence number (10000, 20000, ...), echoed back in shipment events. */
  lineNumber: number;
  /** BC item number. */
  product: string;
  quantity: number;
  uom: string;
  description?: string;
}

/** Body of `PUT /V1/outbound-orders/{orderNumber}`. Absent values are omitted, never blank. */
export interface JasciOutboundOrder {
  orderNumber: string;
  erpOrderNumber: string;
  customerCode: string;
  warehouseCode: string;
  carrier?: string;
  carrierService?: string;
  /** YYYY-MM-DD. */
  promisedDeliveryDate?: string;
  customerReference?: string;
  shipTo: JasciShipTo;
  lines: JasciOrderLine[];
}

/** Optional body of `POST /V1/outbound-orders/{orderNumber}/cancel`. */
export interface JasciCancelRequest {
  reason?: string;
}

/** An order as `GET /V1/outbound-orders/{orderNumber}` returns it inside `data`. */
export interface JasciOutboundOrderRecord extends JasciOutboundOrder {
  status: string;
  [field: string]: unknown;
}

export interface JasciShipmentLot {
  lot: string;
  quantity: number;
  [field: string]: unknown;
}

export interface JasciShipmentLine {
  lineNumber: number;
  product: string;
  quantity: number;
  uom: string;
  lots?: JasciShipmentLot[];
  serials?: string[];
  [field: string]: unknown;
}

/** Body of a `shipment.closed` webhook event; fields the connector does not know are kept. */
export interface JasciShipmentEvent {
  event: typeof JasciEventName.ShipmentClosed;
  /** Dedupe key; when absent, the receiver dedupes on the SHA-256 of the raw body. */
  eventId?: string;
  timestamp: string;
  shipmentNumber: string;
  orderNumber: string;
  erpOrderNumber: string;
  warehouseCode: string;
  carrier?: string;
  carrierService?: string;
  trackingNumber?: string;
  lines: JasciShipmentLine[];
  [field: string]: unknown;
}

/** Fields every webhook event carries, whatever its name. */
export interface JasciEventEnvelope {
  event: string;
  eventId?: string;
  timestamp: string;
  [field: string]: unknown;
}

/**
 * Largest quantity or line number the connector accepts, from BC or from JASCI. It is the
 * connector's own sanity limit, not a BC or JASCI limit. It rejects values such as 1e308 at the
 * edge, before arithmetic on them overflows to Infinity.
 */
export const MAX_QUANTITY = 999_999_999_999;

const text = v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'));
const optionalText = v.optional(text);
const lineNumber = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(1, 'must be at least 1'),
  v.maxValue(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
);
const positiveQuantity = v.pipe(
  v.number('must be a number'),
  v.gtValue(0, 'must be greater than 0'),
  // Also rejects Infinity, which JSON.parse returns for a literal such as 1e400.
  v.maxValue(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}, the connector's limit`),
);
const date = v.pipe(
  v.string('must be a string'),
  v.isoDate('must be a date in YYYY-MM-DD form'),
  v.check((value) => value !== '0001-01-01', 'must be omitted when blank, not sent as 0001-01-01'),
);
const timestamp = v.pipe(
  v.string('must be a string'),
  v.isoTimestamp('must be an ISO-8601 timestamp such as 2026-02-02T10:30:00Z'),
);

export const jasciShipToSchema = v.object({
  name: text,
  contact: optionalText,
  addressLine1: text,
  addressLine2: optionalText,
  city: text,
  state: optionalText,
  postCode: text,
  country: text,
  phone: optionalText,
  email: optionalText,
});

export const jasciOrderLineSchema = v.object({
  lineNumber,
  product: text,
  quantity: positiveQuantity,
  uom: text,
  description: optionalText,
});

export const jasciOutboundOrderSchema = v.object({
  orderNumber: text,
  erpOrderNumber: text,
  customerCode: text,
  warehouseCode: text,
  carrier: optionalText,
  carrierService: optionalText,
  promisedDeliveryDate: v.optional(date),
  customerReference: optionalText,
  shipTo: jasciShipToSchema,
  lines: v.pipe(
    v.array(jasciOrderLineSchema, 'must be an array'),
    v.minLength(1, 'must hold at least one line'),
    // Shipment events name the order line by lineNumber alone.
    v.check((lines) => repeatedLineNumber(lines) === undefined, describeRepeatedLineNumber),
  ),
});

/** Builds the message for two order lines with one lineNumber. */
function describeRepeatedLineNumber<T extends readonly { lineNumber: number }[]>(
  issue: v.CheckIssue<T>,
): string {
  const [first, second] = repeatedLineNumber(issue.input) ?? [0, 0];
  const lineNumber = issue.input[second]?.lineNumber;
  return `lines ${first} and ${second} both have lineNumber ${lineNumber}; each line needs its own lineNumber`;
}

/** Returns the indexes of the first two lines that share a lineNumber, or undefined. */
function repeatedLineNumber(
  lines: readonly { lineNumber: number }[],
): [number, number] | undefined {
  const seen = new Map<number, number>();
  for (const [index, line] of lines.entries()) {
    const earlier = seen.get(line.lineNumber);
    if (earlier !== undefined) return [earlier, index];
    seen.set(line.lineNumber, index);
  }
  return undefined;
}

export const jasciCancelRequestSchema = v.object({ reason: optionalText });

export const jasciOutboundOrderRecordSchema = v.looseObject({
  ...jasciOutboundOrderSchema.entries,
  status: text,
});

const QUANTITY_EPSILON = 1e-9;

export const jasciShipmentLineSchema = v.pipe(
  v.looseObject({
    lineNumber,
    product: text,
    quantity: positiveQuantity,
    uom: text,
    lots: v.optional(
      v.array(v.looseObject({ lot: text, quantity: positiveQuantity }), 'must be an array'),
    ),
    serials: v.optional(v.array(text, 'must be an array')),
  }),
  v.forward(
    v.check(
      (line) =>
        line.lots === undefined ||
        Math.abs(line.lots.reduce((sum, lot) => sum + lot.quantity, 0) - line.quantity) <
          QUANTITY_EPSILON,
      'lot quantities must add up to the line quantity',
    ),
    ['lots'],
  ),
  v.forward(
    v.check(
      (line) => line.serials === undefined || line.serials.length === line.quantity,
      'must hold one serial number per unit shipped',
    ),
    ['serials'],
  ),
);

export const jasciEventEnvelopeSchema = v.looseObject({
  event: text,
  eventId: optionalText,
  timestamp,
});

export const jasciShipmentEventSchema = v.looseObject({
  event: v.literal(JasciEventName.ShipmentClosed, `must be ${JasciEventName.ShipmentClosed}`),
  eventId: optionalText,
  timestamp,
  shipmentNumber: text,
  orderNumber: text,
  erpOrderNumber: text,
  warehouseCode: text,
  carrier: optionalText,
  carrierService: optionalText,
  trackingNumber: optionalText,
  lines: v.pipe(
    v.array(jasciShipmentLineSchema, 'must be an array'),
    v.minLength(1, 'must hold at least one line'),
  ),
});

/** Hints for a missing field, keyed by field name. A name means the same thing in every JASCI body. */
const missingFieldHints: Record<string, string> = {
  event: 'send the event name, e.g. shipment.closed',
  timestamp: 'send the time of the event as an ISO-8601 timestamp, e.g. 2026-02-02T10:30:00Z',
  shipmentNumber: "send JASCI's shipment number",
  orderNumber: 'send the JASCI outbound order number',
  erpOrderNumber: 'send the BC sales order number that the outbound order carried',
  customerCode: 'send the BC customer number',
  warehouseCode: 'send the JASCI warehouse code',
  shipTo: 'send the ship-to address as an object',
  name: 'send the ship-to name',
  addressLine1: 'send the first ship-to address line',
  city: 'send the ship-to city',
  postCode: 'send the ship-to post code',
  country: 'send the ship-to country code',
  lines: 'send a list with at least one line',
  lineNumber: 'send the lineNumber of the outbound order line, a whole number from 1',
  product: 'send the item number',
  quantity: 'send the quantity as a number greater than 0',
  uom: 'send the unit of measure code',
  lot: 'send the lot number',
};

/** Phrases for the types that valibot names in `expected` when a value has the wrong type. */
const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  Object: 'an object',
  Array: 'an array',
};

/**
 * Returns the message of one issue without its field: `missing; <what to send>` for a missing
 * field, `must be a number` for a wrong type, and otherwise the schema's own message. It replaces
 * valibot's built-in schema messages ("Invalid key: Expected ..."). `missingHints` maps a
 * field name to what to send; by default the hints for JASCI bodies apply.
 */
export function issueMessage(
  issue: v.BaseIssue<unknown>,
  missingHints: Readonly<Record<string, string>> = missingFieldHints,
): string {
  if (issue.kind !== 'schema') return issue.message;
  const key = issue.path?.[issue.path.length - 1]?.key;
  if (issue.input === undefined && issue.received === 'undefined') {
    const hint = typeof key === 'string' ? missingHints[key] : undefined;
    return hint === undefined ? 'missing' : `missing; ${hint}`;
  }
  if (!issue.message.startsWith('Invalid ')) return issue.message;
  return `must be ${typeNames[issue.expected ?? ''] ?? issue.expected ?? 'another type'}`;
}

/** Formats an issue's path the way the JSON reads, e.g. `lines[0].quantity`. */
export function issueField(issue: v.BaseIssue<unknown>): string | undefined {
  if (!issue.path || issue.path.length === 0) return undefined;
  let path = '';
  for (const item of issue.path) {
    const key = item.key;
    if (typeof key === 'number') path += `[${key}]`;
    else path += path === '' ? String(key) : `.${String(key)}`;
  }
  return path;
}

/** Formats each issue as one line that names the field by its dot path, e.g. `shipTo.city: must not be empty`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => `${v.getDotPath(issue) ?? '(body)'}: ${issueMessage(issue)}`);
}

// Compile-time checks that the interfaces above and the schemas describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type _WireChecks = [
  Assert<Same<v.InferOutput<typeof jasciOutboundOrderSchema>, JasciOutboundOrder>>,
  Assert<Same<v.InferOutput<typeof jasciCancelRequestSchema>, JasciCancelRequest>>,
  Assert<Same<v.InferOutput<typeof jasciShipmentEventSchema>, JasciShipmentEvent>>,
  Assert<Same<v.InferOutput<typeof jasciEventEnvelopeSchema>, JasciEventEnvelope>>,
];
