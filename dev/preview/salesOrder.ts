import { parseBcSalesOrder } from '../../shared/bc/salesOrder';
import { isReleased } from '../../shared/bc/status';
import { BusinessError } from '../../shared/errors';
import { mapSalesOrder, withLocationCodes } from '../../shared/flows/salesOrders/map';
import type { JasciOutboundOrder } from '../../shared/jasci/wire';
import { readJsonFile, UsageError, type PreviewContext } from './options';

/** Output of a preview: the JASCI orders, notes for stderr, or the business errors found. */
export interface PreviewResult {
  orders: JasciOutboundOrder[];
  notes: string[];
  errors: string[];
}

const notASalesOrder =
  'expected a BC sales order with salesOrderLines: a bare order, a BC response with a value list, or a case file whose input is the order';

/**
 * Maps every sales order in `file` the way the worker would, using the given context for BC
 * locations and the WarehouseMap table. Throws UsageError for a file without a sales order.
 */
export async function previewSalesOrderFile(
  file: string,
  context: PreviewContext,
): Promise<PreviewResult> {
  const candidates = salesOrderCandidates(await readJsonFile(file), file);
  const result: PreviewResult = { orders: [], notes: [], errors: [] };
  for (const candidate of candidates) previewOne(candidate, context, result);
  return result;
}

function previewOne(candidate: unknown, context: PreviewContext, result: PreviewResult): void {
  const parsed = parseBcSalesOrder(candidate);
  if (!parsed.ok) {
    result.errors.push(`Sales order ${keyOf(candidate)} is invalid: ${parsed.problems.join('; ')}`);
    return;
  }
  const order = withLocationCodes(parsed.value, context.locations);
  if (!isReleased(order.status)) {
    result.notes.push(
      `Sales order ${order.number} has status ${order.status}, so it is not released and nothing is sent; release it in BC (API status Open)`,
    );
    return;
  }
  try {
    const orders = mapSalesOrder(order, context.warehouses, context.defaultWarehouse);
    if (orders.length === 0) {
      result.notes.push(
        `Sales order ${order.number} has no item lines with an outstanding quantity, so nothing is sent`,
      );
    }
    result.orders.push(...orders);
  } catch (error) {
    if (!(error instanceof BusinessError)) throw error;
    result.errors.push(`${error.message} [${error.code}]${hintFor(error)}`);
  }
}

/** Adds the preview's own way to supply a missing location code or warehouse. */
function hintFor(error: BusinessError): string {
  if (error.code === 'UNKNOWN_LOCATION')
    return '\n  In a preview, pass --location <locationId>=<code> or --locations FILE.';
  if (error.code === 'UNMAPPED_LOCATION') {
    return '\n  In a preview, pass --warehouse <code>=<warehouse>, --map FILE or --default-warehouse WAREHOUSE.';
  }
  return '';
}

/** Returns the sales order objects in a parsed file, or throws UsageError naming what it found. */
function salesOrderCandidates(json: unknown, file: string): unknown[] {
  let content = json;
  if (isObject(content) && typeof content.kind === 'string' && 'input' in content) {
    if (content.kind !== 'sales-order') {
      throw new UsageError(
        `${file} is not a sales order: it is a case file of kind '${content.kind}'`,
      );
    }
    content = content.input;
  }
  let candidates: unknown[];
  let listName: string | undefined;
  if (Array.isArray(content)) {
    candidates = content;
    listName = '';
  } else if (isObject(content) && Array.isArray(content.value)) {
    candidates = content.value;
    listName = 'value';
  } else candidates = [content];
  if (candidates.length === 0)
    throw new UsageError(`${file} contains no sales orders; ${notASalesOrder}`);
  candidates.forEach((candidate, index) => {
    const entry = listName === undefined ? '' : ` entry ${listName}[${index}]`;
    checkCandidate(candidate, `${file}${entry}`);
  });
  return candidates;
}

/** Throws UsageError for an entry that is not a sales order read with its lines. */
function checkCandidate(candidate: unknown, where: string): void {
  if (!looksLikeSalesOrder(candidate)) {
    throw new UsageError(
      `${where} is not a sales order (found ${describeValue(candidate)}); ${notASalesOrder}`,
    );
  }
  if (!('salesOrderLines' in candidate)) {
    // A create or plain GET response has the header only, or the lines under another name.
    throw new UsageError(
      `${where}: sales order ${keyOf(candidate)} has no salesOrderLines; read it with GET .../salesOrders({id})?$expand=salesOrderLines and preview that response`,
    );
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object without salesOrderLines or sales order header fields';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns true for an object with lines, or with the header fields no other BC entity combines. */
function looksLikeSalesOrder(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  if ('salesOrderLines' in value) return true;
  return 'number' in value && 'customerNumber' in value && 'status' in value;
}

function keyOf(candidate: unknown): string {
  if (isObject(candidate) && typeof candidate.number === 'string' && candidate.number !== '') {
    return candidate.number;
  }
  return '(without a number)';
}
