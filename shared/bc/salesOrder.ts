import * as v from 'valibot';
import { issueMessage, MAX_QUANTITY } from '../jasci/wire';
import { normalizeStatus } from './status';
import { blankToUndefined, dateOrUndefined, guidOrUndefined } from './values';

/*
 * BC sales orders as the poller reads them (`salesOrders?$expand=salesOrderLines`), and the trimmed
 * snapshot that the sales order flow puts on the queue. BC has no nulls: '' means no text,
 * 0001-01-01 means no date and the all-zero GUID means no reference. The BC schema turns each of
 * them into an absent field, so nothing downstream has to know BC's sentinels.
 */

// ---- Numbers and line checks shared by the BC payload and the snapshot ----

// BC quantities share the JASCI wire format's bound, so that every accepted line can be sent.
const quantityRange = v.pipe(
  v.number('must be a number'),
  v.minValue(0, 'must not be negative'),
  // Also rejects Infinity, which JSON.parse returns for a literal such as 1e400.
  v.maxValue(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}, the connector's limit`),
);

/** BC's Line No.: JASCI receives it as `lineNumber` and shipment events match lines by it. */
const sequenceRange = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(
    1,
    "must be at least 1, because JASCI line numbers start at 1; use the line's BC Line No.",
  ),
  v.maxValue(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
);

/**
 * Returns false for a line that reports more shipped than ordered. Quantities that failed their
 * own range check pass here, so that each problem is reported once.
 */
function shippedWithinQuantity(line: { quantity: number; shippedQuantity: number }): boolean {
  if (!v.is(quantityRange, line.quantity) || !v.is(quantityRange, line.shippedQuantity))
    return true;
  return line.shippedQuantity <= line.quantity;
}

/** Builds the message for a line that reports more shipped than ordered, which BC does not allow. */
function describeShippedAboveQuantity<T extends { quantity: number; shippedQuantity: number }>(
  issue: v.CheckIssue<T>,
): string {
  const { quantity, shippedQuantity } = issue.input;
  return `${shippedQuantity} is more than the line's quantity ${quantity}; shippedQuantity must be at most quantity, so correct the line or read the order from BC again`;
}

/** Builds the message for two lines with one sequence, which shipment events cannot tell apart. */
function describeRepeatedSequence<T extends readonly { sequence: number }[]>(
  issue: v.CheckIssue<T>,
): string {
  const [first, second] = duplicateSequence(issue.input) ?? [0, 0];
  const sequence = issue.input[second]?.sequence;
  return `lines ${first} and ${second} both have sequence ${sequence}; each line needs its own sequence (BC's Line No.), so correct the file or read the order from BC again`;
}

/** Returns the indexes of the first two lines that share a sequence, or undefined. */
function duplicateSequence(lines: readonly { sequence: number }[]): [number, number] | undefined {
  const seen = new Map<number, number>();
  for (const [index, line] of lines.entries()) {
    const earlier = seen.get(line.sequence);
    if (earlier !== undefined) return [earlier, index];
    seen.set(line.sequence, index);
  }
  return undefined;
}

// ---- Snapshot: the queue payload of a `salesOrder.upsert` message ----

const presentText = v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty')));

const snapshotLineSchema = v.pipe(
  v.object({
    id: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    /** BC's Line No., the line's stable number within the order. */
    sequence: sequenceRange,
    /** `Item`, `Comment`, `Account`, `Resource`, `Fixed Asset`, `Charge`; undefined when blank. */
    lineType: presentText,
    /** Item number for item lines, account or resource number for the others. */
    lineObjectNumber: presentText,
    description: presentText,
    /** Ordered quantity in the line's unit of measure. */
    quantity: quantityRange,
    /** Quantity already shipped (posted) in BC, in the line's unit of measure. */
    shippedQuantity: quantityRange,
    unitOfMeasureCode: presentText,
    itemVariantId: presentText,
    /** BC location id in lower case; undefined when the line has no location. */
    locationId: presentText,
    /** BC location code, resolved from `locationId` by the poller. */
    locationCode: presentText,
  }),
  v.forward(
    v.check((line) => shippedWithinQuantity(line), describeShippedAboveQuantity),
    ['shippedQuantity'],
  ),
);

export const salesOrderSnapshotSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  number: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  /** API status after decoding: `Open` (released in BC), `Draft`, `In Review`. */
  status: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  lastModifiedDateTime: v.pipe(v.string(), v.isoTimestamp('must be an ISO-8601 timestamp')),
  customerNumber: presentText,
  /** BC `externalDocumentNumber`, the customer's own order reference. */
  customerReference: presentText,
  requestedDeliveryDate: v.optional(v.pipe(v.string(), v.isoDate('must be a date YYYY-MM-DD'))),
  /** Only the companion extension's API carries these; standard API v2.0 has no shipping agent. */
  shippingAgentCode: presentText,
  shippingAgentServiceCode: presentText,
  shipTo: v.object({
    name: presentText,
    contact: presentText,
    addressLine1: presentText,
    addressLine2: presentText,
    city: presentText,
    state: presentText,
    postCode: presentText,
    country: presentText,
    phone: presentText,
    email: presentText,
  }),
  lines: v.pipe(
    v.array(snapshotLineSchema),
    v.check((lines) => duplicateSequence(lines) === undefined, describeRepeatedSequence),
  ),
});

export type SalesOrderSnapshot = v.InferOutput<typeof salesOrderSnapshotSchema>;
export type SalesOrderLineSnapshot = SalesOrderSnapshot['lines'][number];

// ---- BC payload: blank values and odd shapes ----

/** Text with surrounding spaces removed; '' and whitespace only become undefined. */
const text = v.pipe(
  v.nullish(v.string()),
  v.transform((value) => blankToUndefined(value)?.trim()),
);

/** Non-blank text; its base schema is not nullish, so `v.object` keeps the key required. */
const requiredText = v.pipe(
  v.string(),
  v.transform((value) => blankToUndefined(value)?.trim()),
  v.check((value) => value !== undefined, 'must not be blank'),
  v.transform((value) => value ?? ''),
);

/** An enum value with XML escapes decoded; a blank value (' ' or `_x0020_`) becomes undefined. */
const enumName = v.pipe(
  v.nullish(v.string()),
  v.transform((value) =>
    blankToUndefined(value === null || value === undefined ? value : normalizeStatus(value)),
  ),
);

const guid = v.pipe(
  text,
  v.transform((value) => guidOrUndefined(value)?.toLowerCase()),
);

/** A BC date (YYYY-MM-DD, or a datetime whose day is used); 0001-01-01 becomes undefined. */
const date = v.pipe(
  text,
  v.check(
    (value) => value === undefined || /^\d{4}-\d{2}-\d{2}/.test(value),
    'must be a date in the form YYYY-MM-DD',
  ),
  v.transform((value) => dateOrUndefined(value)?.slice(0, 10)),
);

const timestampPattern = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A BC datetime, normalised to `Date.toISOString()` form so that versions compare as strings.
 * BC writes UTC, so a value without a zone is read as UTC and a date-only value as its midnight.
 */
const timestamp = v.pipe(
  v.string(),
  v.trim(),
  v.regex(timestampPattern, 'must be an ISO-8601 timestamp such as 2026-12-01T10:01:00Z'),
  v.transform((value) => {
    const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(value);
    return new Date(value.includes('T') && !hasZone ? `${value}Z` : value);
  }),
  v.check((value) => !Number.isNaN(value.getTime()), 'must be a valid date and time'),
  v.transform((value) => value.toISOString()),
);

/** A decimal that BC sends as a JSON number, or in some payloads as a numeric string. */
const decimal = v.union(
  [v.number(), v.pipe(v.string(), v.trim(), v.decimal(), v.transform(Number))],
  'must be a number',
);

const bcQuantity = v.pipe(decimal, quantityRange);
const bcSequence = v.pipe(decimal, sequenceRange);

// ---- BC payload schemas ----

const bcSalesOrderLineSchema = v.pipe(
  v.object({
    id: requiredText,
    sequence: bcSequence,
    lineType: enumName,
    lineObjectNumber: text,
    description: text,
    quantity: bcQuantity,
    shippedQuantity: v.optional(bcQuantity, 0),
    unitOfMeasureCode: text,
    itemVariantId: guid,
    locationId: guid,
    // Present when the order was read with `$expand=salesOrderLines($expand=location)` or from
    // an API that carries the code; otherwise the poller resolves `locationId`.
    locationCode: text,
    location: v.nullish(v.object({ code: text })),
  }),
  v.forward(
    v.check((line) => shippedWithinQuantity(line), describeShippedAboveQuantity),
    ['shippedQuantity'],
  ),
  v.transform((line): SalesOrderLineSnapshot =>
    withoutUndefined({
      id: line.id,
      sequence: line.sequence,
      lineType: line.lineType,
      lineObjectNumber: line.lineObjectNumber,
      description: line.description,
      quantity: line.quantity,
      shippedQuantity: line.shippedQuantity,
      unitOfMeasureCode: line.unitOfMeasureCode,
      itemVariantId: line.itemVariantId,
      locationId: line.locationId,
      locationCode: line.locationCode ?? line.location?.code,
    }),
  ),
);

/**
 * One BC sales order with its lines expanded. Unknown fields (totals, bill-to, etags) are dropped;
 * `salesOrderLines` is required because an order read without `$expand` would look empty.
 */
export const bcSalesOrderSchema = v.pipe(
  v.object({
    id: requiredText,
    number: requiredText,
    status: v.pipe(requiredText, v.transform(normalizeStatus)),
    lastModifiedDateTime: timestamp,
    customerNumber: text,
    externalDocumentNumber: text,
    requestedDeliveryDate: date,
    shippingAgentCode: text,
    shippingAgentServiceCode: text,
    shipToName: text,
    shipToContact: text,
    shipToAddressLine1: text,
    shipToAddressLine2: text,
    shipToCity: text,
    shipToState: text,
    shipToPostCode: text,
    shipToCountry: text,
    phoneNumber: text,
    email: text,
    salesOrderLines: v.pipe(
      v.array(bcSalesOrderLineSchema, 'must be an array of lines'),
      v.check((lines) => duplicateSequence(lines) === undefined, describeRepeatedSequence),
    ),
  }),
  v.transform((order): SalesOrderSnapshot =>
    withoutUndefined({
      id: order.id,
      number: order.number,
      status: order.status,
      lastModifiedDateTime: order.lastModifiedDateTime,
      customerNumber: order.customerNumber,
      customerReference: order.externalDocumentNumber,
      requestedDeliveryDate: order.requestedDeliveryDate,
      shippingAgentCode: order.shippingAgentCode,
      shippingAgentServiceCode: order.shippingAgentServiceCode,
      shipTo: withoutUndefined({
        name: order.shipToName,
        contact: order.shipToContact,
        addressLine1: order.shipToAddressLine1,
        addressLine2: order.shipToAddressLine2,
        city: order.shipToCity,
        state: order.shipToState,
        postCode: order.shipToPostCode,
        country: order.shipToCountry,
        phone: order.phoneNumber,
        email: order.email,
      }),
      lines: order.salesOrderLines,
    }),
  ),
);

/** One BC location as read by `locations?$select=id,code`. */
export const bcLocationSchema = v.object({ id: guid, code: text });

// ---- Parsing ----

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Validates a BC sales order payload and returns its snapshot, or one problem per invalid field. */
export function parseBcSalesOrder(payload: unknown): ParseResult<SalesOrderSnapshot> {
  return toResult(v.safeParse(bcSalesOrderSchema, payload));
}

/** Validates a snapshot read back from a queue message or an edited replay. */
export function parseSalesOrderSnapshot(payload: unknown): ParseResult<SalesOrderSnapshot> {
  return toResult(v.safeParse(salesOrderSnapshotSchema, payload));
}

function toResult<T>(result: v.SafeParseResult<v.GenericSchema<unknown, T>>): ParseResult<T> {
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, problems: result.issues.map(describeIssue) };
}

/** Hints for a missing field whose name alone does not tell what to do, keyed by field name. */
const missingFieldHints: Record<string, string> = {
  salesOrderLines: 'read sales orders with $expand=salesOrderLines',
};

/** Formats an issue as `salesOrderLines.0.quantity: must be a number`. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? '(order)';
  return `${path}: ${issueMessage(issue, missingFieldHints)}`;
}

/** Drops keys whose value is undefined, so that snapshots serialise and hash the same way. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
