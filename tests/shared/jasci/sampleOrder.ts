import type { JasciOutboundOrder } from '../../../shared/jasci/wire';

/** Builds a valid outbound order with two lines; `overrides` replace top-level fields. */
export function sampleOrder(overrides: Partial<JasciOutboundOrder> = {}): JasciOutboundOrder {
  return {
    orderNumber: 'S-ORD101001',
    erpOrderNumber: 'S-ORD101001',
    customerCode: '10000',
    warehouseCode: 'WH1',
    carrier: 'UPS',
    carrierService: 'GROUND',
    promisedDeliveryDate: '2026-03-01',
    shipTo: {
      name: 'Adatum Corporation',
      addressLine1: 'Station Road, 21',
      city: 'Cambridge',
      postCode: 'CB1 2FB',
      country: 'GB',
    },
    lines: [
      { lineNumber: 10000, product: '1896-S', quantity: 5, uom: 'PCS', description: 'ATHENS Desk' },
      { lineNumber: 20000, product: '1900-S', quantity: 2, uom: 'PCS' },
    ],
    ...overrides,
  };
}
