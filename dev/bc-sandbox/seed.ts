import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type BcRecord, omit } from './entities';
import { guidFrom } from './prng';
import type { BcStore, Snapshot } from './store';

/** Anything that carries a store, such as a started sandbox. */
export interface HasStore {
  store: BcStore;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Returns the default fixture folder: the project's `tests/fixtures/bc`. The project folder is found
 * by walking up to package.json, so this works from `dev/` and from `dist/dev/`.
 */
export function defaultFixtureDirectory(start: string = __dirname): string {
  let directory = start;
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory)
      throw new Error(`No package.json found above ${start}; pass the fixture folder explicitly.`);
    directory = parent;
  }
  return path.join(directory, 'tests', 'fixtures', 'bc');
}

function readFixture(directory: string, name: string): BcRecord {
  const file = path.join(directory, name);
  if (!existsSync(file))
    throw new Error(`BC fixture ${file} not found; pass the folder that contains ${name}.`);
  return JSON.parse(readFileSync(file, 'utf8')) as BcRecord;
}

/** Keeps a valid GUID, or derives a stable one for an invalid fixture value. */
function validGuid(value: unknown, fallbackKey: string): string {
  return typeof value === 'string' && GUID.test(value) ? value : guidFrom(fallbackKey);
}

/** Turns a date-only timestamp, as some fixtures have, into a full UTC datetime. */
function fullDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

export interface SeedResult {
  customers: Snapshot[];
  vendors: Snapshot[];
  items: Snapshot[];
  locations: Snapshot[];
  salesOrders: Snapshot[];
  salesShipments: Snapshot[];
}

/**
 * Seeds demo master data and documents from Microsoft's published API examples. The examples are
 * truncated and partly inconsistent, so invalid GUIDs are replaced by stable derived ones,
 * date-only timestamps become midnight UTC, and the create-response's `documentLines` become real
 * lines. Two more locations (EAST, WEST) are derived from the one location example so that orders
 * can span warehouses.
 */
export function seedFromFixtures(
  sandbox: HasStore,
  directory: string = defaultFixtureDirectory(),
): SeedResult {
  const store = sandbox.store;
  const result: SeedResult = {
    customers: [],
    vendors: [],
    items: [],
    locations: [],
    salesOrders: [],
    salesShipments: [],
  };
  const customer = readFixture(directory, 'customer-get.json');
  const vendor = readFixture(directory, 'vendor-get.json');
  const location = readFixture(directory, 'location-get.json');
  const unit = readFixture(directory, 'unit-of-measure-get.json');
  const shipmentMethod = readFixture(directory, 'shipment-method-get.json');
  const variant = readFixture(directory, 'item-variant-get.json');
  const orderExample = readFixture(directory, 'sales-order-create-response.json');
  const lineExample = readFixture(directory, 'sales-order-line-create-response.json');
  const shipment = readFixture(directory, 'sales-shipment-get.json');
  const shipmentLine = readFixture(directory, 'sales-shipment-line-get.json');

  result.customers.push(store.addRecord('customers', customer));
  result.customers.push(
    store.addRecord('customers', {
      id: guidFrom(`customer:${String(shipment.customerNumber)}`),
      number: shipment.customerNumber,
      displayName: shipment.customerName,
      addressLine1: shipment.sellToAddressLine1,
      addressLine2: shipment.sellToAddressLine2,
      city: shipment.sellToCity,
      state: shipment.sellToState,
      country: shipment.sellToCountry,
      postalCode: shipment.sellToPostCode,
      email: shipment.email,
      salespersonCode: shipment.salesperson,
      currencyCode: shipment.currencyCode,
    }),
  );
  result.vendors.push(store.addRecord('vendors', vendor));

  result.locations.push(store.addRecord('locations', location));
  for (const [code, name] of [
    ['EAST', 'East Warehouse'],
    ['WEST', 'West Warehouse'],
  ] as const) {
    result.locations.push(
      store.addRecord('locations', {
        ...location,
        id: guidFrom(`location:${code}`),
        code,
        displayName: name,
      }),
    );
  }

  store.addRecord('unitsOfMeasure', unit);
  store.addRecord('unitsOfMeasure', {
    id: lineExample.unitOfMeasureId,
    code: 'PCS',
    displayName: 'Piece',
    internationalStandardCode: 'EA',
  });
  store.addRecord('unitsOfMeasure', {
    id: guidFrom('unit:EA'),
    code: 'EA',
    displayName: 'Each',
    internationalStandardCode: 'EA',
  });
  store.addRecord('shipmentMethods', shipmentMethod);

  result.items.push(
    seedItem(
      store,
      lineExample.itemId,
      lineExample.lineObjectNumber,
      lineExample.description,
      'PCS',
      lineExample.unitPrice,
    ),
    seedItem(
      store,
      undefined,
      shipmentLine.lineObjectNumber,
      shipmentLine.description,
      shipmentLine.unitOfMeasureCode,
      shipmentLine.unitPrice,
    ),
    seedItem(
      store,
      variant.itemId,
      variant.itemNumber,
      `Item ${String(variant.itemNumber)}`,
      'PCS',
      0,
    ),
  );
  const documentLines = Array.isArray(orderExample.documentLines)
    ? (orderExample.documentLines as BcRecord[])
    : [];
  for (const line of documentLines) {
    result.items.push(
      seedItem(
        store,
        undefined,
        line.itemNo,
        `Item ${String(line.itemNo)}`,
        line.unitOfMeasureCode,
        0,
      ),
    );
  }
  store.addRecord('itemVariants', variant);

  result.salesOrders.push(seedOrderExample(store, orderExample, documentLines));
  result.salesOrders.push(
    store.addSalesOrder({
      id: lineExample.documentId,
      number: String(Number(orderExample.number) + 1),
      customerNumber: customer.number,
      status: 'Open',
      lines: [
        { ...lineExample, id: lineExample.id, documentId: undefined, sequence: 10000 },
        {
          lineObjectNumber: shipmentLine.lineObjectNumber,
          quantity: 3,
          locationCode: String(location.code),
          sequence: 20000,
        },
      ],
    }),
  );

  result.salesShipments.push(seedShipment(store, shipment, shipmentLine));
  return result;
}

function seedItem(
  store: BcStore,
  id: unknown,
  number: unknown,
  name: unknown,
  unit: unknown,
  price: unknown,
): Snapshot {
  const unitCode = String(unit);
  const unitRow = store.findBy('unitsOfMeasure', 'code', unitCode);
  return store.addItem({
    id: validGuid(id, `item:${String(number)}`),
    number: String(number),
    displayName: String(name),
    baseUnitOfMeasureCode: unitCode,
    baseUnitOfMeasureId: unitRow?.fields.id,
    unitPrice: Number(price) || 0,
  });
}

/** Adds the create example as a draft order. Its lines use `lineNo`/`itemNo` instead of the API names. */
function seedOrderExample(store: BcStore, order: BcRecord, documentLines: BcRecord[]): Snapshot {
  // The example's customer id matches no customer example, so the customer is found by number.
  const header = omit(order, ['customerId', 'billToCustomerId', 'documentLines']);
  return store.addSalesOrder({
    ...header,
    lines: documentLines.map((line) => ({
      lineType: line.lineType,
      sequence: line.lineNo,
      lineObjectNumber: line.itemNo,
      quantity: line.quantity,
      unitOfMeasureCode: line.unitOfMeasureCode,
    })),
  });
}

function seedShipment(store: BcStore, shipment: BcRecord, line: BcRecord): Snapshot {
  const customer = store.findBy('customers', 'number', shipment.customerNumber);
  return store.addSalesShipment({
    ...shipment,
    id: validGuid(shipment.id, `shipment:${String(shipment.number)}`),
    customerId: customer?.fields.id,
    billToCustomerId: customer?.fields.id,
    lastModifiedDateTime: fullDateTime(shipment.lastModifiedDateTime),
    lines: [
      {
        ...line,
        id: validGuid(line.id, 'shipment-line'),
        lineType: line.lineType === 'NAV.salesLineType' ? 'Item' : line.lineType,
        sequence: Number(line.sequence),
      },
    ],
  });
}

export { type GenerateOptions, generateSalesOrders } from './generate';
