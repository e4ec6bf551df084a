import {
  type BcRecord,
  ZERO_GUID,
  fillTemplate,
  salesOrderLineTemplate,
  salesOrderTemplate,
} from './entities';
import type { BcStore } from './store';

/** Seeding input for a sales order: any salesOrder property plus its lines. */
export interface SalesOrderInput extends BcRecord {
  lines?: SalesOrderLineInput[];
  salesOrderLines?: SalesOrderLineInput[];
}

/** Seeding input for a line: any salesOrderLine property; `locationCode` resolves to `locationId`. */
export interface SalesOrderLineInput extends BcRecord {
  locationCode?: string;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Builds the header: customer defaults first, then the given properties. */
export function buildSalesOrder(store: BcStore, input: SalesOrderInput): BcRecord {
  const today = store.today();
  const defaults: BcRecord = {
    orderDate: today,
    postingDate: today,
    status: 'Open',
    lastModifiedDateTime: store.stamp(),
    ...customerDefaults(store, input),
  };
  return fillTemplate(salesOrderTemplate(), defaults, input);
}

function customerDefaults(store: BcStore, input: SalesOrderInput): BcRecord {
  const customer =
    (typeof input.customerId === 'string' && store.row('customers', input.customerId)) ||
    (typeof input.customerNumber === 'string' &&
      store.findBy('customers', 'number', input.customerNumber));
  if (!customer) return {};
  const c = customer.fields;
  const defaults: BcRecord = {
    customerId: c.id,
    customerNumber: c.number,
    customerName: c.displayName,
    billToCustomerId: c.id,
    billToCustomerNumber: c.number,
    billToName: c.displayName,
    shipToName: c.displayName,
    currencyId: c.currencyId,
    currencyCode: c.currencyCode,
    paymentTermsId: c.paymentTermsId,
    shipmentMethodId: c.shipmentMethodId,
    salesperson: c.salespersonCode,
    phoneNumber: c.phoneNumber,
    email: c.email,
  };
  for (const prefix of ['sellTo', 'billTo', 'shipTo']) {
    defaults[`${prefix}AddressLine1`] = c.addressLine1;
    defaults[`${prefix}AddressLine2`] = c.addressLine2;
    defaults[`${prefix}City`] = c.city;
    defaults[`${prefix}State`] = c.state;
    defaults[`${prefix}Country`] = c.country;
    defaults[`${prefix}PostCode`] = c.postalCode;
  }
  return defaults;
}

/**
 * Builds a line of `order`: item defaults, then the given properties. Like BC, a new line's
 * quantity to ship is its outstanding quantity and its quantity to invoice is its quantity.
 */
export function buildSalesOrderLine(
  store: BcStore,
  order: BcRecord,
  input: SalesOrderLineInput,
  index: number,
): BcRecord {
  const { locationCode, ...rest } = input;
  const quantity = typeof rest.quantity === 'number' ? rest.quantity : 1;
  const shipped = typeof rest.shippedQuantity === 'number' ? rest.shippedQuantity : 0;
  const invoiced = typeof rest.invoicedQuantity === 'number' ? rest.invoicedQuantity : 0;
  const defaults: BcRecord = {
    documentId: order.id,
    sequence: (index + 1) * 10000,
    quantity,
    shipQuantity: quantity - shipped,
    invoiceQuantity: quantity - invoiced,
    shipmentDate: order.orderDate,
    ...itemDefaults(store, rest),
  };
  if (locationCode !== undefined) defaults.locationId = locationIdFor(store, locationCode);
  const line = fillTemplate(salesOrderLineTemplate(), defaults, rest, { documentId: order.id });
  return recalculateLine(line);
}

function itemDefaults(store: BcStore, input: BcRecord): BcRecord {
  const item =
    (typeof input.itemId === 'string' && store.row('items', input.itemId)) ||
    (typeof input.lineObjectNumber === 'string' &&
      (input.lineType ?? 'Item') === 'Item' &&
      store.findBy('items', 'number', input.lineObjectNumber));
  if (!item) return {};
  const i = item.fields;
  return {
    itemId: i.id,
    lineObjectNumber: i.number,
    description: i.displayName,
    description2: i.displayName2,
    unitOfMeasureId: i.baseUnitOfMeasureId,
    unitOfMeasureCode: i.baseUnitOfMeasureCode,
    unitPrice: i.unitPrice,
  };
}

function locationIdFor(store: BcStore, code: string): string {
  if (code === '') return ZERO_GUID;
  const location = store.findBy('locations', 'code', code);
  if (!location) throw new Error(`Location code ${code} not found; add the location first.`);
  return String(location.fields.id);
}

/** Recomputes the line amounts from quantity, unit price, discount and tax percentage. */
export function recalculateLine(line: BcRecord): BcRecord {
  const quantity = Number(line.quantity);
  const gross = quantity * Number(line.unitPrice);
  const discount =
    Number(line.discountPercent) > 0
      ? round2((gross * Number(line.discountPercent)) / 100)
      : Number(line.discountAmount);
  const net = round2(gross - discount);
  const tax = round2((net * Number(line.taxPercent)) / 100);
  return {
    ...line,
    discountAmount: discount,
    amountExcludingTax: net,
    totalTaxAmount: tax,
    amountIncludingTax: round2(net + tax),
    netAmount: net,
    netTaxAmount: tax,
    netAmountIncludingTax: round2(net + tax),
  };
}

/** Returns the order's totals and `fullyShipped`, computed from its current lines. */
export function recalculateOrderTotals(store: BcStore, order: BcRecord): BcRecord {
  const lines = store.linesOf(String(order.id)).map((row) => row.fields);
  const sum = (field: string): number =>
    round2(lines.reduce((total, line) => total + Number(line[field]), 0));
  const itemLines = lines.filter((line) => line.lineType !== 'Comment');
  return {
    totalAmountExcludingTax: sum('netAmount'),
    totalTaxAmount: sum('netTaxAmount'),
    totalAmountIncludingTax: sum('netAmountIncludingTax'),
    fullyShipped:
      itemLines.length > 0 &&
      itemLines.every((line) => Number(line.shippedQuantity) >= Number(line.quantity)),
  };
}
