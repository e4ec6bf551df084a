import type { BcRecord } from '../entities';
import { badRequest } from '../errors';
import { type EntitySetDef, type Navigation, requireEntitySet } from '../entitySets';
import type { BcStore, Row } from '../store';
import { type FilterNode, matchesFilter, parseFilter } from './filter';

export interface OrderTerm {
  field: string;
  descending: boolean;
}

export interface ExpandOption {
  name: string;
  navigation: Navigation;
  options: QueryOptions;
}

/** The OData system query options of one request (or of one `$expand` item). */
export interface QueryOptions {
  filter?: FilterNode;
  select?: string[];
  expand: ExpandOption[];
  orderby: OrderTerm[];
  top?: number;
  skip?: number;
  skiptoken?: string;
  count: boolean;
}

/**
 * Splits a query string into decoded parameters. Unlike URLSearchParams it keeps '+' as is,
 * because OData filter literals such as `+01:00` offsets may contain it unencoded.
 */
export function parseQueryString(search: string): Map<string, string> {
  const params = new Map<string, string>();
  const text = search.startsWith('?') ? search.slice(1) : search;
  for (const part of text.split('&')) {
    if (!part) continue;
    const index = part.indexOf('=');
    const name = index < 0 ? part : part.slice(0, index);
    const value = index < 0 ? '' : part.slice(index + 1);
    try {
      params.set(decodeURIComponent(name), decodeURIComponent(value));
    } catch {
      throw badRequest('BadRequest', `The query parameter '${name}' is not correctly URL-encoded.`);
    }
  }
  return params;
}

/** Splits on `separator` outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === "'") quoted = !quoted;
    else if (!quoted && char === '(') depth += 1;
    else if (!quoted && char === ')') depth -= 1;
    else if (!quoted && depth === 0 && char === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function nonNegativeInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw badRequest(
      'BadRequest',
      `Invalid value '${value}' for ${name}; expected a non-negative integer.`,
    );
  return Number(value);
}

function checkProperty(def: EntitySetDef, name: string): string {
  if (!(name in def.template)) {
    throw badRequest(
      'BadRequest',
      `Could not find a property named '${name}' on type 'Microsoft.NAV.${def.typeName}'.`,
    );
  }
  return name;
}

/** Parses and validates the system query options against the entity set. */
export function parseQueryOptions(params: Map<string, string>, def: EntitySetDef): QueryOptions {
  const options: QueryOptions = { expand: [], orderby: [], count: false };
  for (const [name, value] of params) {
    switch (name) {
      case '$filter':
        options.filter = parseFilter(value, def.template, def.typeName);
        break;
      case '$select':
        options.select = splitTopLevel(value, ',').map((field) => checkProperty(def, field));
        break;
      case '$expand':
        options.expand = parseExpand(value, def);
        break;
      case '$orderby':
        options.orderby = splitTopLevel(value, ',').map((term) => parseOrderTerm(term, def));
        break;
      case '$top':
        options.top = nonNegativeInteger('$top', value);
        break;
      case '$skip':
        options.skip = nonNegativeInteger('$skip', value);
        break;
      case '$skiptoken':
        options.skiptoken = value;
        break;
      case '$count':
        options.count = value === 'true';
        break;
      default:
        if (name.startsWith('$') && name !== '$schemaversion' && name !== '$format') {
          throw badRequest('BadRequest', `The query parameter '${name}' is not supported.`);
        }
    }
  }
  return options;
}

function parseOrderTerm(term: string, def: EntitySetDef): OrderTerm {
  const [field = '', direction = 'asc', extra] = term.split(/\s+/);
  if (extra !== undefined || (direction !== 'asc' && direction !== 'desc')) {
    throw badRequest('BadRequest', `Invalid $orderby term '${term}'.`);
  }
  return { field: checkProperty(def, field), descending: direction === 'desc' };
}

/** Parses `$expand`, including nested options such as `salesOrderLines($select=id;$expand=location)`. */
function parseExpand(text: string, def: EntitySetDef): ExpandOption[] {
  return splitTopLevel(text, ',').map((item) => {
    const open = item.indexOf('(');
    const name = (open < 0 ? item : item.slice(0, open)).trim();
    const navigation = def.navigations[name];
    if (!navigation) {
      throw badRequest(
        'BadRequest',
        `Could not find a navigation property named '${name}' on type 'Microsoft.NAV.${def.typeName}'.`,
      );
    }
    const nested = new Map<string, string>();
    if (open >= 0) {
      if (!item.endsWith(')')) throw badRequest('BadRequest', `Invalid $expand item '${item}'.`);
      for (const option of splitTopLevel(item.slice(open + 1, -1), ';')) {
        const index = option.indexOf('=');
        if (index < 0) throw badRequest('BadRequest', `Invalid $expand option '${option}'.`);
        nested.set(option.slice(0, index).trim(), option.slice(index + 1).trim());
      }
    }
    return {
      name,
      navigation,
      options: parseQueryOptions(nested, requireEntitySet(navigation.target)),
    };
  });
}

/** Returns the sort keys: the requested order, then the default order, then the id. */
function sortTerms(def: EntitySetDef, orderby: OrderTerm[]): OrderTerm[] {
  const terms = [...orderby];
  for (const field of [...def.defaultOrder, 'id']) {
    if (!terms.some((term) => term.field === field)) terms.push({ field, descending: false });
  }
  return terms;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(a);
  const right = String(b);
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}

function compareByTerms(terms: OrderTerm[], a: unknown[], b: unknown[]): number {
  for (let i = 0; i < terms.length; i += 1) {
    const result = compareValues(a[i], b[i]);
    if (result !== 0) return (terms[i] as OrderTerm).descending ? -result : result;
  }
  return 0;
}

/** Applies filter and order to rows; returns them all (no paging). */
export function filterAndSort(def: EntitySetDef, rows: Row[], options: QueryOptions): Row[] {
  const filtered = options.filter
    ? rows.filter((row) => matchesFilter(options.filter as FilterNode, row.fields))
    : rows;
  const terms = sortTerms(def, options.orderby);
  const keyOf = (row: Row): unknown[] => terms.map((term) => row.fields[term.field]);
  return [...filtered].sort((a, b) => compareByTerms(terms, keyOf(a), keyOf(b)));
}

/** A page of rows and, when more rows follow, the skip token for the next page. */
export interface Page {
  rows: Row[];
  total: number;
  skiptoken?: string;
}

/**
 * Picks one page. `$top` limits the result and, as in BC, suppresses the next-page token even when
 * more rows match. The skip token carries the sort key of the last row, so rows inserted or moved
 * between two page requests are not skipped twice.
 */
export function selectPage(
  def: EntitySetDef,
  rows: Row[],
  options: QueryOptions,
  pageSize: number,
): Page {
  let sorted = filterAndSort(def, rows, options);
  const total = sorted.length;
  const terms = sortTerms(def, options.orderby);
  if (options.skiptoken !== undefined) {
    const after = decodeSkiptoken(options.skiptoken, terms.length);
    sorted = sorted.filter(
      (row) =>
        compareByTerms(
          terms,
          terms.map((term) => row.fields[term.field]),
          after,
        ) > 0,
    );
  }
  if (options.skip !== undefined) sorted = sorted.slice(options.skip);
  if (options.top !== undefined)
    return { rows: sorted.slice(0, Math.min(options.top, pageSize)), total };
  const page = sorted.slice(0, pageSize);
  if (sorted.length <= pageSize) return { rows: page, total };
  const last = page[page.length - 1] as Row;
  return {
    rows: page,
    total,
    skiptoken: encodeSkiptoken(terms.map((term) => last.fields[term.field])),
  };
}

function encodeSkiptoken(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeSkiptoken(token: string, length: number): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length) return values;
  } catch {
    // Reported below as an invalid token.
  }
  throw badRequest(
    'BadRequest',
    `The $skiptoken '${token}' is invalid; follow @odata.nextLink unchanged.`,
  );
}

/** Shapes one row for the response: `@odata.etag`, the selected properties and the expansions. */
export function serializeRow(store: BcStore, row: Row, options: QueryOptions): BcRecord {
  const body: BcRecord = { '@odata.etag': row.etag };
  const fields = options.select ?? Object.keys(row.fields);
  for (const field of fields) body[field] = structuredClone(row.fields[field]);
  for (const expand of options.expand) {
    const target = requireEntitySet(expand.navigation.target);
    const related = filterAndSort(target, expand.navigation.resolve(store, row), expand.options);
    const shaped = related.map((child) => serializeRow(store, child, expand.options));
    body[expand.name] = expand.navigation.many ? shaped : (shaped[0] ?? null);
  }
  return body;
}
