/**
 * Business Central has no nulls. A blank text field is '', a blank date is 0001-01-01 (a blank
 * date-time is 0001-01-01T00:00:00Z), and a blank reference is the all-zero GUID. These helpers
 * turn those values into `undefined` on the way in, and write OData filters that compare against
 * them on the way out, because BC silently ignores `eq null` and returns every row.
 */

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
export const BLANK_DATE = '0001-01-01';

/** Returns true for BC's blank date, in date form (0001-01-01) or date-time form (0001-01-01T...). */
export function isBlankDate(value: string): boolean {
  return value === BLANK_DATE || value.startsWith(`${BLANK_DATE}T`);
}

/** Returns true for the all-zero GUID, in any letter case. */
export function isZeroGuid(value: string): boolean {
  return value.toLowerCase() === ZERO_GUID;
}

/** Returns the text unchanged, or undefined when it is missing, empty or only whitespace. */
export function blankToUndefined(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  return value;
}

/** Returns the date or date-time unchanged, or undefined when it is missing, '' or BC's blank date. */
export function dateOrUndefined(value: string | null | undefined): string | undefined {
  const text = blankToUndefined(value);
  return text === undefined || isBlankDate(text) ? undefined : text;
}

/** Returns the GUID unchanged, or undefined when it is missing, '' or the all-zero GUID. */
export function guidOrUndefined(value: string | null | undefined): string | undefined {
  const text = blankToUndefined(value);
  return text === undefined || isZeroGuid(text) ? undefined : text;
}

/**
 * A literal that OData writes without quotes (Edm.Date, Edm.DateTimeOffset, Edm.Guid). Create it
 * with `edmDate`, `edmDateTime` or `edmGuid`, which check the format.
 */
export class ODataRawLiteral {
  constructor(readonly text: string) {}
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const GUID_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Creates an Edm.Date literal such as 2026-12-01. */
export function edmDate(value: string): ODataRawLiteral {
  if (!DATE_PATTERN.test(value)) {
    throw new RangeError(`Invalid OData date '${value}': expected YYYY-MM-DD`);
  }
  return new ODataRawLiteral(value);
}

/** Creates an Edm.DateTimeOffset literal; a Date is written in UTC ISO form. */
export function edmDateTime(value: Date | string): ODataRawLiteral {
  const text = value instanceof Date ? value.toISOString() : value;
  if (!DATE_TIME_PATTERN.test(text)) {
    throw new RangeError(
      `Invalid OData date-time '${text}': expected ISO 8601 with a time zone, e.g. 2026-12-01T10:00:00Z`,
    );
  }
  return new ODataRawLiteral(text);
}

/** Creates an Edm.Guid literal. */
export function edmGuid(value: string): ODataRawLiteral {
  if (!GUID_PATTERN.test(value)) {
    throw new RangeError(`Invalid OData GUID '${value}': expected 8-4-4-4-12 hexadecimal digits`);
  }
  return new ODataRawLiteral(value.toLowerCase());
}

export type ODataValue = string | number | boolean | Date | ODataRawLiteral;

/**
 * Writes a value as an OData literal: strings in single quotes with embedded quotes doubled,
 * numbers and booleans as is, a Date as a UTC date-time. Rejects null and undefined, because BC
 * ignores `eq null`; compare with `filterIsBlank` instead.
 */
export function odataLiteral(value: ODataValue): string {
  if (value === null || value === undefined) {
    throw new TypeError(
      "OData literal is null or undefined: BC has no nulls, so compare with filterIsBlank (eq '', 0001-01-01 or the zero GUID)",
    );
  }
  if (value instanceof ODataRawLiteral) return value.text;
  if (value instanceof Date) return edmDateTime(value).text;
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`Invalid OData number ${value}`);
    return String(value);
  }
  return value ? 'true' : 'false';
}

export type ODataComparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

const FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function checkField(field: string): string {
  if (!FIELD_PATTERN.test(field)) {
    throw new RangeError(`Invalid OData field name '${field}': expected letters, digits, _ and /`);
  }
  return field;
}

/** Writes `field op literal`, e.g. filterCompare('number', 'eq', "O'Neil") → number eq 'O''Neil'. */
export function filterCompare(field: string, operator: ODataComparison, value: ODataValue): string {
  return `${checkField(field)} ${operator} ${odataLiteral(value)}`;
}

/** Writes `field eq literal`. */
export function filterEq(field: string, value: ODataValue): string {
  return filterCompare(field, 'eq', value);
}

export type BlankKind = 'text' | 'date' | 'dateTime' | 'guid';

const BLANK_LITERALS: Record<BlankKind, string> = {
  text: "''",
  date: BLANK_DATE,
  dateTime: `${BLANK_DATE}T00:00:00Z`,
  guid: ZERO_GUID,
};

/** Writes a comparison with BC's blank value of the given kind, e.g. `requestedDeliveryDate eq 0001-01-01`. */
export function filterIsBlank(field: string, kind: BlankKind): string {
  return `${checkField(field)} eq ${BLANK_LITERALS[kind]}`;
}

/** Writes the negation of `filterIsBlank`, e.g. `locationId ne 00000000-0000-0000-0000-000000000000`. */
export function filterIsNotBlank(field: string, kind: BlankKind): string {
  return `${checkField(field)} ne ${BLANK_LITERALS[kind]}`;
}

/**
 * Joins clauses with `and`. A clause that contains ` or ` is put in brackets so it keeps its
 * meaning. Simple comparisons stay unbracketed, as in the links BC writes itself.
 */
export function filterAnd(...clauses: string[]): string {
  const parts = clauses.filter((clause) => clause.trim() !== '');
  if (parts.length === 1) return parts[0] ?? '';
  return parts.map((clause) => (/\sor\s/i.test(clause) ? `(${clause})` : clause)).join(' and ');
}
