import { randomUUID } from 'node:crypto';
import {
  type BcRecord,
  ZERO_GUID,
  customerTemplate,
  fillTemplate,
  omit,
  itemTemplate,
  itemVariantTemplate,
  locationTemplate,
  salesShipmentLineTemplate,
  salesShipmentTemplate,
  shipmentMethodTemplate,
  unitOfMeasureTemplate,
  vendorTemplate,
} from './entities';
import {
  type SalesOrderInput,
  type SalesOrderLineInput,
  buildSalesOrder,
  buildSalesOrderLine,
  recalculateLine,
  recalculateOrderTotals,
} from './salesDocuments';

/** One stored entity: its properties and the ETag of its current version. */
export interface Row {
  fields: BcRecord;
  etag: string;
}

export type EntitySetName =
  | 'items'
  | 'customers'
  | 'vendors'
  | 'locations'
  | 'unitsOfMeasure'
  | 'shipmentMethods'
  | 'itemVariants'
  | 'salesOrders'
  | 'salesOrderLines'
  | 'salesShipments'
  | 'salesShipmentLines';

/** An entity as the API returns it, with `@odata.etag`; documents include their lines. */
export type Snapshot = BcRecord & { '@odata.etag': string };

const masterTemplates = {
  items: itemTemplate,
  customers: customerTemplate,
  vendors: vendorTemplate,
  locations: locationTemplate,
  unitsOfMeasure: unitOfMeasureTemplate,
  shipmentMethods: shipmentMethodTemplate,
  itemVariants: itemVariantTemplate,
} as const;

export type MasterEntitySet = keyof typeof masterTemplates;

/**
 * In-memory company data of the sandbox. The `add…`, `update…` and `get…` methods are for seeding
 * and inspecting from tests and the demo; the row methods are for the API handlers.
 */
export class BcStore {
  private readonly tables = new Map<EntitySetName, Map<string, Row>>();
  private rowVersion = 0;
  private lastStampMs = 0;
  private orderCounter = 100000;
  private shipmentCounter = 100000;

  constructor(private readonly now: () => Date = () => new Date()) {}

  // ---- row access for handlers ----

  rows(set: EntitySetName): Row[] {
    return [...this.table(set).values()];
  }

  row(set: EntitySetName, id: string): Row | undefined {
    return this.table(set).get(id.toLowerCase());
  }

  /** Inserts a row with a fresh ETag; a zero or missing id gets a new GUID. */
  insertRow(set: EntitySetName, fields: BcRecord): Row {
    const id = typeof fields.id === 'string' && fields.id !== ZERO_GUID ? fields.id : randomUUID();
    const key = id.toLowerCase();
    if (this.table(set).has(key)) throw new Error(`${set}: a record with id ${id} already exists`);
    const row: Row = { fields: { ...fields, id }, etag: this.nextEtag() };
    this.table(set).set(key, row);
    return row;
  }

  /** Stores new property values and gives the row a new ETag, as every BC modify does. */
  updateRow(set: EntitySetName, id: string, changes: BcRecord): Row {
    const row = this.row(set, id);
    if (!row) throw new Error(`${set}: no record with id ${id}`);
    row.fields = { ...row.fields, ...changes };
    row.etag = this.nextEtag();
    return row;
  }

  deleteRow(set: EntitySetName, id: string): boolean {
    return this.table(set).delete(id.toLowerCase());
  }

  /**
   * Returns the current time as BC's `SystemModifiedAt`. Each call is at least 1 ms after the
   * previous one, so two changes never share a timestamp.
   */
  stamp(): string {
    const ms = Math.max(this.now().getTime(), this.lastStampMs + 1);
    this.lastStampMs = ms;
    return new Date(ms).toISOString();
  }

  today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  nextShipmentNumber(): string {
    this.shipmentCounter += 1;
    return `S-SHPT-${this.shipmentCounter}`;
  }

  linesOf(orderId: string): Row[] {
    const key = orderId.toLowerCase();
    return this.rows('salesOrderLines')
      .filter((line) => String(line.fields.documentId).toLowerCase() === key)
      .sort((a, b) => Number(a.fields.sequence) - Number(b.fields.sequence));
  }

  findBy(set: EntitySetName, field: string, value: unknown): Row | undefined {
    return this.rows(set).find((row) => row.fields[field] === value);
  }

  /** Saves the whole state and returns a function that restores it (for `Isolation: snapshot`). */
  checkpoint(): () => void {
    const saved = structuredClone({
      tables: this.tables,
      rowVersion: this.rowVersion,
      orderCounter: this.orderCounter,
      shipmentCounter: this.shipmentCounter,
    });
    return () => {
      this.tables.clear();
      for (const [set, table] of saved.tables) this.tables.set(set, table);
      this.orderCounter = saved.orderCounter;
      this.shipmentCounter = saved.shipmentCounter;
      // The row version keeps counting so that no ETag is ever handed out twice.
    };
  }

  // ---- master data ----

  /** Adds a record to a master-data entity set; missing properties get BC's blank values. */
  addRecord(set: MasterEntitySet, input: BcRecord): Snapshot {
    const fields = fillTemplate(masterTemplates[set](), input);
    if (input.lastModifiedDateTime === undefined) fields.lastModifiedDateTime = this.stamp();
    return snapshotOf(this.insertRow(set, fields));
  }

  addItem(input: BcRecord & { number: string }): Snapshot {
    return this.addRecord('items', input);
  }

  addLocation(input: BcRecord & { code: string }): Snapshot {
    return this.addRecord('locations', input);
  }

  addCustomer(input: BcRecord & { number: string }): Snapshot {
    return this.addRecord('customers', input);
  }

  // ---- sales orders ----

  /**
   * Adds a sales order with its lines (`lines` or `salesOrderLines`). Customer, item and location
   * details are filled in from the master data (`locationCode` on a line resolves to its
   * `locationId`). The status defaults to 'Open', the API's name for a released order.
   */
  addSalesOrder(input: SalesOrderInput): Snapshot {
    this.orderCounter += 1;
    const number =
      typeof input.number === 'string' && input.number ? input.number : `SO-${this.orderCounter}`;
    if (this.findBy('salesOrders', 'number', number)) {
      throw new Error(`Sales order ${number} already exists; pass another number.`);
    }
    const header = buildSalesOrder(this, { ...input, number });
    const order = this.insertRow('salesOrders', header);
    const lines = input.lines ?? input.salesOrderLines ?? [];
    lines.forEach((line, index) => {
      this.insertRow('salesOrderLines', buildSalesOrderLine(this, order.fields, line, index));
    });
    this.updateRow(
      'salesOrders',
      String(order.fields.id),
      recalculateOrderTotals(this, order.fields),
    );
    return this.getSalesOrderById(String(order.fields.id)) as Snapshot;
  }

  /** Changes header properties; bumps `lastModifiedDateTime` unless `changes` sets it. */
  updateSalesOrder(key: string, changes: BcRecord = {}): Snapshot {
    const order = this.requireOrder(key);
    const rest = omit(changes, ['id', 'number']);
    this.updateRow('salesOrders', String(order.fields.id), {
      lastModifiedDateTime: this.stamp(),
      ...rest,
    });
    return this.getSalesOrderById(String(order.fields.id)) as Snapshot;
  }

  /** Bumps the order's `lastModifiedDateTime` and ETag without changing anything else. */
  touch(key: string): Snapshot {
    return this.updateSalesOrder(key);
  }

  addSalesOrderLine(key: string, input: SalesOrderLineInput): Snapshot {
    const order = this.requireOrder(key);
    const index = this.linesOf(String(order.fields.id)).length;
    const line = this.insertRow(
      'salesOrderLines',
      buildSalesOrderLine(this, order.fields, input, index),
    );
    this.refreshOrder(String(order.fields.id), true);
    return snapshotOf(line);
  }

  /**
   * Changes a line. `touchOrder` (default true) also bumps the order's timestamp; pass false to
   * reproduce BC line edits that leave the header's `lastModifiedDateTime` unchanged.
   */
  updateSalesOrderLine(
    lineId: string,
    changes: BcRecord,
    options: { touchOrder?: boolean } = {},
  ): Snapshot {
    const line = this.row('salesOrderLines', lineId);
    if (!line) throw new Error(`Sales order line ${lineId} not found.`);
    const rest = omit(changes, ['id', 'documentId']);
    const updated = this.updateRow(
      'salesOrderLines',
      lineId,
      recalculateLine({ ...line.fields, ...rest }),
    );
    this.refreshOrder(String(line.fields.documentId), options.touchOrder ?? true);
    return snapshotOf(updated);
  }

  deleteSalesOrderLine(lineId: string): void {
    const line = this.row('salesOrderLines', lineId);
    if (!line) throw new Error(`Sales order line ${lineId} not found.`);
    this.deleteRow('salesOrderLines', lineId);
    this.refreshOrder(String(line.fields.documentId), true);
  }

  deleteSalesOrder(key: string): void {
    const order = this.requireOrder(key);
    const id = String(order.fields.id);
    for (const line of this.linesOf(id)) this.deleteRow('salesOrderLines', String(line.fields.id));
    this.deleteRow('salesOrders', id);
  }

  /** Returns the order with the given number or id, with its lines, or undefined. */
  getSalesOrder(key: string): Snapshot | undefined {
    const order = this.findOrder(key);
    return order ? this.getSalesOrderById(String(order.fields.id)) : undefined;
  }

  listSalesOrders(): Snapshot[] {
    return this.rows('salesOrders').map(
      (row) => this.getSalesOrderById(String(row.fields.id)) as Snapshot,
    );
  }

  /** Recomputes the order totals and the fully-shipped flag; `touch` also bumps the timestamp. */
  refreshOrder(orderId: string, touch: boolean): void {
    const order = this.row('salesOrders', orderId);
    if (!order) return;
    const changes = recalculateOrderTotals(this, order.fields);
    if (touch) changes.lastModifiedDateTime = this.stamp();
    this.updateRow('salesOrders', orderId, changes);
  }

  // ---- posted shipments ----

  /** Adds a posted shipment with its lines (`lines` or `salesShipmentLines`), for seeding. */
  addSalesShipment(
    input: BcRecord & { lines?: BcRecord[]; salesShipmentLines?: BcRecord[] },
  ): Snapshot {
    const header = fillTemplate(salesShipmentTemplate(), input);
    if (input.lastModifiedDateTime === undefined) header.lastModifiedDateTime = this.stamp();
    const shipment = this.insertRow('salesShipments', header);
    const lines = input.lines ?? input.salesShipmentLines ?? [];
    lines.forEach((line, index) => {
      const fields = fillTemplate(salesShipmentLineTemplate(), line);
      fields.documentId = shipment.fields.id;
      fields.documentNo = shipment.fields.number;
      if (!line.sequence) fields.sequence = (index + 1) * 10000;
      this.insertRow('salesShipmentLines', fields);
    });
    return this.shipmentSnapshot(shipment);
  }

  /** Returns the posted shipments of a sales order, with their lines. */
  salesShipments(orderNumber: string): Snapshot[] {
    return this.rows('salesShipments')
      .filter((row) => row.fields.orderNumber === orderNumber)
      .map((row) => this.shipmentSnapshot(row));
  }

  shipmentLinesOf(shipmentId: string): Row[] {
    const key = shipmentId.toLowerCase();
    return this.rows('salesShipmentLines')
      .filter((line) => String(line.fields.documentId).toLowerCase() === key)
      .sort((a, b) => Number(a.fields.sequence) - Number(b.fields.sequence));
  }

  // ---- helpers ----

  private shipmentSnapshot(row: Row): Snapshot {
    const lines = this.shipmentLinesOf(String(row.fields.id)).map(snapshotOf);
    return { ...snapshotOf(row), salesShipmentLines: lines };
  }

  private getSalesOrderById(id: string): Snapshot | undefined {
    const order = this.row('salesOrders', id);
    if (!order) return undefined;
    return { ...snapshotOf(order), salesOrderLines: this.linesOf(id).map(snapshotOf) };
  }

  private findOrder(key: string): Row | undefined {
    return this.row('salesOrders', key) ?? this.findBy('salesOrders', 'number', key);
  }

  private requireOrder(key: string): Row {
    const order = this.findOrder(key);
    if (!order) throw new Error(`Sales order ${key} not found; pass an existing number or id.`);
    return order;
  }

  private table(set: EntitySetName): Map<string, Row> {
    let table = this.tables.get(set);
    if (!table) {
      table = new Map();
      this.tables.set(set, table);
    }
    return table;
  }

  /** Builds a weak ETag shaped like BC's: base64 of a quoted row version. */
  private nextEtag(): string {
    this.rowVersion += 1;
    const version = String(736182935140000000n + BigInt(this.rowVersion));
    const token = Buffer.from(`'${version.length};${version};1;0;'`).toString('base64');
    return `W/"${token}"`;
  }
}

/** Copies a row into the API shape, `@odata.etag` first. */
export function snapshotOf(row: Row): Snapshot {
  return structuredClone({ '@odata.etag': row.etag, ...row.fields });
}
