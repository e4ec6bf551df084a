import {
  type BcRecord,
  fillTemplate,
  salesOrderLineTemplate,
  salesShipmentLineTemplate,
  salesShipmentTemplate,
} from './entities';
import { BcApiError, badRequest, notFound } from './errors';
import type { BcStore, Row } from './store';
import { recalculateLine } from './salesDocuments';

/** Quantity to ship that BC sets on a line after posting: the remaining quantity, or 0. */
export type DefaultQuantityToShip = 'remainder' | 'blank';

/** Line properties a PATCH may change; the others are read-only in BC's salesOrderLines page. */
const EDITABLE_LINE_FIELDS = new Set([
  'description',
  'description2',
  'quantity',
  'unitPrice',
  'discountAmount',
  'discountPercent',
  'taxCode',
  'shipmentDate',
  'shipQuantity',
  'invoiceQuantity',
  'locationId',
  'itemVariantId',
  'unitOfMeasureCode',
]);

/** Line properties that BC only lets you change while the order is not released. */
const NEEDS_OPEN_ORDER = new Set([
  'quantity',
  'unitPrice',
  'discountAmount',
  'discountPercent',
  'taxCode',
  'locationId',
  'itemVariantId',
  'unitOfMeasureCode',
]);

const KNOWN_LINE_FIELDS = new Set(Object.keys(salesOrderLineTemplate()));

/** BC's internal status names, which its validation messages use. */
const internalStatus: Record<string, string> = {
  Draft: 'Open',
  Open: 'Released',
  'In Review': 'Pending Approval',
};

/**
 * Applies a PATCH body to a sales order line after checking the If-Match header, the properties
 * and the quantities the way BC does. Returns the updated line.
 */
export function patchSalesOrderLine(
  store: BcStore,
  line: Row,
  body: BcRecord,
  ifMatch: string | undefined,
): Row {
  checkIfMatch(line, ifMatch);
  const changes = Object.fromEntries(
    Object.entries(body).filter(([key]) => !key.startsWith('@odata.')),
  );
  const order = store.row('salesOrders', String(line.fields.documentId));
  for (const key of Object.keys(changes)) checkEditable(key, order);

  const next: BcRecord = { ...line.fields };
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'shipQuantity' || key === 'invoiceQuantity') continue;
    next[key] = key === 'quantity' ? requireQuantity(key, value) : value;
  }
  if ('quantity' in changes) applyQuantity(next);
  if ('shipQuantity' in changes)
    applyShipQuantity(next, requireQuantity('shipQuantity', changes.shipQuantity));
  if ('invoiceQuantity' in changes) {
    applyInvoiceQuantity(next, requireQuantity('invoiceQuantity', changes.invoiceQuantity));
  }

  const updated = store.updateRow('salesOrderLines', String(line.fields.id), recalculateLine(next));
  // Only edits that change amounts rewrite the order header, as in BC's sales order buffer.
  const touchesHeader = Object.keys(changes).some((key) => NEEDS_OPEN_ORDER.has(key));
  store.refreshOrder(String(line.fields.documentId), touchesHeader);
  return updated;
}

/** Checks the If-Match header against the row's ETag; `*` matches any version. */
export function checkIfMatch(row: Row, ifMatch: string | undefined): void {
  if (!ifMatch) {
    throw badRequest(
      'BadRequest_InvalidToken',
      'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.',
    );
  }
  if (ifMatch.trim() !== '*' && ifMatch.trim() !== row.etag) {
    throw new BcApiError(
      412,
      'Request_EntityChanged',
      'Another user has already changed the record.',
    );
  }
}

function checkEditable(key: string, order: Row | undefined): void {
  if (!KNOWN_LINE_FIELDS.has(key)) {
    throw badRequest(
      'BadRequest',
      `The property '${key}' does not exist on type 'Microsoft.NAV.salesOrderLine'. Make sure to only use property names that are defined by the type.`,
    );
  }
  if (!EDITABLE_LINE_FIELDS.has(key)) {
    throw badRequest(
      'BadRequest_InvalidOperation',
      `The property '${key}' is read-only and cannot be changed.`,
    );
  }
  const status = typeof order?.fields.status === 'string' ? order.fields.status : 'Draft';
  if (NEEDS_OPEN_ORDER.has(key) && status !== 'Draft') {
    throw badRequest(
      'Application_FieldValidationException',
      `Status must be equal to 'Open'  in Sales Header: Document Type=Order, No.=${String(order?.fields.number)}. Current value is '${internalStatus[status] ?? status}'.`,
    );
  }
}

function requireQuantity(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw badRequest(
      'BadRequest',
      `Cannot convert the value of '${key}' to a decimal: ${JSON.stringify(value)}.`,
    );
  }
  if (value < 0)
    throw badRequest('Application_DialogException', `The value of '${key}' must not be negative.`);
  return value;
}

function applyQuantity(line: BcRecord): void {
  const shipped = Number(line.shippedQuantity);
  if (Number(line.quantity) < shipped) {
    throw badRequest(
      'Application_DialogException',
      `You cannot reduce the quantity below the shipped quantity ${shipped}.`,
    );
  }
  applyShipQuantity(line, Number(line.quantity) - shipped);
}

/** Sets the quantity to ship and, as BC's validation does, resets the quantity to invoice. */
function applyShipQuantity(line: BcRecord, quantity: number): void {
  const outstanding = Number(line.quantity) - Number(line.shippedQuantity);
  if (quantity > outstanding) {
    throw badRequest(
      'Application_DialogException',
      `You cannot ship more than ${outstanding} units.`,
    );
  }
  line.shipQuantity = quantity;
  line.invoiceQuantity = Number(line.shippedQuantity) - Number(line.invoicedQuantity) + quantity;
}

function applyInvoiceQuantity(line: BcRecord, quantity: number): void {
  const max =
    Number(line.shippedQuantity) + Number(line.shipQuantity) - Number(line.invoicedQuantity);
  if (quantity > max) {
    throw badRequest('Application_DialogException', `You cannot invoice more than ${max} units.`);
  }
  line.invoiceQuantity = quantity;
}

/** Result of a shipAndInvoice call: the posted shipment number, if anything was shipped. */
export interface PostingResult {
  orderNumber: string;
  shipmentNumber?: string;
  invoiced: boolean;
  orderDeleted: boolean;
}

/**
 * Posts the order's quantities to ship and to invoice: creates a posted sales shipment for the
 * shipped lines, updates the line quantities and, like BC, deletes the order once every line is
 * fully shipped and invoiced.
 */
export function shipAndInvoice(
  store: BcStore,
  orderId: string,
  defaultQuantityToShip: DefaultQuantityToShip,
): PostingResult {
  const order = store.row('salesOrders', orderId);
  if (!order)
    throw notFound(
      `The Sales Order does not exist. Identification fields and values: Id='${orderId}'`,
    );
  if (order.fields.status === 'In Review') {
    throw badRequest(
      'Application_DialogException',
      'This document can only be released when the approval process is complete.',
    );
  }
  const lines = store.linesOf(orderId);
  const toShip = lines.filter((line) => Number(line.fields.shipQuantity) > 0);
  const toInvoice = lines.filter((line) => Number(line.fields.invoiceQuantity) > 0);
  if (toShip.length === 0 && toInvoice.length === 0) {
    throw badRequest(
      'Application_DialogException',
      'There is nothing to post because the document does not contain a quantity or amount.',
    );
  }

  const orderNumber = String(order.fields.number);
  const shipmentNumber = toShip.length > 0 ? postShipment(store, order, toShip) : undefined;
  for (const line of lines) postLine(store, line, defaultQuantityToShip);

  const remaining = store.linesOf(orderId);
  const done = remaining.every(
    (line) =>
      Number(line.fields.shippedQuantity) >= Number(line.fields.quantity) &&
      Number(line.fields.invoicedQuantity) >= Number(line.fields.quantity),
  );
  if (done) {
    for (const line of remaining) store.deleteRow('salesOrderLines', String(line.fields.id));
    store.deleteRow('salesOrders', orderId);
  } else {
    // Posting releases an order that is still open in BC.
    store.updateRow('salesOrders', orderId, { status: 'Open' });
    store.refreshOrder(orderId, true);
  }
  return { orderNumber, shipmentNumber, invoiced: toInvoice.length > 0, orderDeleted: done };
}

function postLine(store: BcStore, line: Row, defaultQuantityToShip: DefaultQuantityToShip): void {
  const f = line.fields;
  const shipped = Number(f.shippedQuantity) + Number(f.shipQuantity);
  const invoiced = Math.min(shipped, Number(f.invoicedQuantity) + Number(f.invoiceQuantity));
  const shipQuantity = defaultQuantityToShip === 'remainder' ? Number(f.quantity) - shipped : 0;
  store.updateRow('salesOrderLines', String(f.id), {
    shippedQuantity: shipped,
    invoicedQuantity: invoiced,
    shipQuantity,
    invoiceQuantity: shipped - invoiced + shipQuantity,
  });
}

function postShipment(store: BcStore, order: Row, lines: Row[]): string {
  const number = store.nextShipmentNumber();
  const o = order.fields;
  const postingDate = o.postingDate === '0001-01-01' ? store.today() : o.postingDate;
  const shipmentMethod = store.row('shipmentMethods', String(o.shipmentMethodId));
  const header = fillTemplate(salesShipmentTemplate(), o, {
    number,
    orderNumber: o.number,
    invoiceDate: o.orderDate,
    postingDate,
    dueDate: postingDate,
    shipmentMethodCode: shipmentMethod?.fields.code ?? '',
    lastModifiedDateTime: store.stamp(),
  });
  // The shipment gets its own id; insertRow assigns one when none is set.
  header.id = undefined;
  const shipment = store.insertRow('salesShipments', header);
  for (const line of lines) {
    const fields = fillTemplate(salesShipmentLineTemplate(), line.fields, {
      quantity: line.fields.shipQuantity,
      documentId: shipment.fields.id,
      documentNo: number,
    });
    fields.id = undefined;
    store.insertRow('salesShipmentLines', fields);
  }
  return number;
}
