import {
  type BcRecord,
  customerTemplate,
  itemTemplate,
  itemVariantTemplate,
  locationTemplate,
  salesOrderLineTemplate,
  salesOrderTemplate,
  salesShipmentLineTemplate,
  salesShipmentTemplate,
  shipmentMethodTemplate,
  unitOfMeasureTemplate,
  vendorTemplate,
} from './entities';
import type { BcStore, EntitySetName, Row } from './store';

/** A navigation property: how to reach related rows from a row. */
export interface Navigation {
  target: EntitySetName;
  many: boolean;
  resolve(store: BcStore, parent: Row): Row[];
}

/** What the API needs to know about one entity set. */
export interface EntitySetDef {
  name: EntitySetName;
  /** Type name as in `Microsoft.NAV.<typeName>`. */
  typeName: string;
  /** Caption used in BC's "does not exist" messages. */
  caption: string;
  template: BcRecord;
  /** Properties that give the default order, like the table's primary key in BC. */
  defaultOrder: string[];
  navigations: Record<string, Navigation>;
  /** Lines cannot be listed on their own: BC asks for a document id. */
  needsDocumentId?: boolean;
}

const byId =
  (target: EntitySetName, field: string): Navigation['resolve'] =>
  (store, parent) => {
    const row = store.row(target, String(parent.fields[field]));
    return row ? [row] : [];
  };

const one = (target: EntitySetName, field: string): Navigation => ({
  target,
  many: false,
  resolve: byId(target, field),
});

const definitions: EntitySetDef[] = [
  {
    name: 'salesOrders',
    typeName: 'salesOrder',
    caption: 'Sales Order',
    template: salesOrderTemplate(),
    defaultOrder: ['number'],
    navigations: {
      salesOrderLines: {
        target: 'salesOrderLines',
        many: true,
        resolve: (store, parent) => store.linesOf(String(parent.fields.id)),
      },
      customer: one('customers', 'customerId'),
      shipmentMethod: one('shipmentMethods', 'shipmentMethodId'),
    },
  },
  {
    name: 'salesOrderLines',
    typeName: 'salesOrderLine',
    caption: 'Sales Line',
    template: salesOrderLineTemplate(),
    defaultOrder: ['documentId', 'sequence'],
    needsDocumentId: true,
    navigations: {
      salesOrder: one('salesOrders', 'documentId'),
      item: one('items', 'itemId'),
      location: one('locations', 'locationId'),
      itemVariant: one('itemVariants', 'itemVariantId'),
    },
  },
  {
    name: 'salesShipments',
    typeName: 'salesShipment',
    caption: 'Sales Shipment Header',
    template: salesShipmentTemplate(),
    defaultOrder: ['number'],
    navigations: {
      salesShipmentLines: {
        target: 'salesShipmentLines',
        many: true,
        resolve: (store, parent) => store.shipmentLinesOf(String(parent.fields.id)),
      },
      customer: one('customers', 'customerId'),
    },
  },
  {
    name: 'salesShipmentLines',
    typeName: 'salesShipmentLine',
    caption: 'Sales Shipment Line',
    template: salesShipmentLineTemplate(),
    defaultOrder: ['documentNo', 'sequence'],
    needsDocumentId: true,
    navigations: {},
  },
  {
    name: 'items',
    typeName: 'item',
    caption: 'Item',
    template: itemTemplate(),
    defaultOrder: ['number'],
    navigations: {
      itemVariants: {
        target: 'itemVariants',
        many: true,
        resolve: (store, parent) =>
          store.rows('itemVariants').filter((row) => row.fields.itemId === parent.fields.id),
      },
    },
  },
  master('customers', 'customer', 'Customer', customerTemplate(), 'number'),
  master('vendors', 'vendor', 'Vendor', vendorTemplate(), 'number'),
  master('locations', 'location', 'Location', locationTemplate(), 'code'),
  master('unitsOfMeasure', 'unitOfMeasure', 'Unit of Measure', unitOfMeasureTemplate(), 'code'),
  master('shipmentMethods', 'shipmentMethod', 'Shipment Method', shipmentMethodTemplate(), 'code'),
  master('itemVariants', 'itemVariant', 'Item Variant', itemVariantTemplate(), 'code'),
];

function master(
  name: EntitySetName,
  typeName: string,
  caption: string,
  template: BcRecord,
  key: string,
): EntitySetDef {
  return { name, typeName, caption, template, defaultOrder: [key], navigations: {} };
}

const byName = new Map(definitions.map((def) => [def.name as string, def]));

export function entitySet(name: string): EntitySetDef | undefined {
  return byName.get(name);
}

export function requireEntitySet(name: EntitySetName): EntitySetDef {
  return byName.get(name) as EntitySetDef;
}
