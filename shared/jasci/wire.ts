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

const text = v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'));
const optionalText = v.optional(text);
const lineNumber = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(1, 'must be at least 1'),
);
const positiveQuantity = v.pipe(
  v.number('must be a number'),
  v.finite('must be a finite number'),
  v.gtValue(0, 'must be greater than 0'),
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
  ),
});

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

/** Formats each issue as one line that names the field by its dot path, e.g. `shipTo.city: must not be empty`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => `${v.getDotPath(issue) ?? '(body)'}: ${issue.message}`);
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
