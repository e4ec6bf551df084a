import { BusinessError } from '../../../../shared/errors';
import type {
  OrderLine,
  SalesOrder,
  SalesShipment,
} from '../../../../shared/flows/shipments/bcOrder';
import {
  assessPosting,
  checkModeSupports,
  planShipment,
  shippedPerLine,
} from '../../../../shared/flows/shipments/plan';
import {
  pickShipmentNumber,
  shipmentsReachExpected,
} from '../../../../shared/flows/shipments/postedShipments';
import { omit, shipmentEvent } from './fixtures';

function orderLine(overrides: Partial<OrderLine> = {}): OrderLine {
  return {
    id: `line-${overrides.sequence ?? 10000}`,
    '@odata.etag': `W/"JzE5OzczNjE4MjkzNTE0MDI2NzQ4MTsxOzA7Jw=="`,
    sequence: 10000,
    lineType: 'Item',
    lineObjectNumber: 'TENT-2P',
    unitOfMeasureCode: 'PCS',
    quantity: 4,
    shippedQuantity: 0,
    shipQuantity: 4,
    invoiceQuantity: 4,
    ...overrides,
  };
}

function order(lines: OrderLine[]): SalesOrder {
  return { id: 'order-1', number: 'SO-104317', salesOrderLines: lines };
}

function thrown(action: () => unknown): BusinessError {
  try {
    action();
  } catch (error) {
    if (error instanceof BusinessError) return error;
    throw error;
  }
  throw new Error('expected a BusinessError, but nothing was thrown');
}

describe('shippedPerLine', () => {
  it('sums event lines that share a line number', () => {
    const event = shipmentEvent({
      lines: [
        { lineNumber: 10000, product: 'TENT-2P', quantity: 0.1, uom: 'PCS' },
        { lineNumber: 10000, product: 'tent-2p', quantity: 0.2, uom: 'PCS' },
        { lineNumber: 20000, product: 'STOVE-1', quantity: 1, uom: 'PCS' },
      ],
    });

    const shipped = shippedPerLine(event);

    expect(shipped.get(10000)?.quantity).toBe(0.3);
    expect(shipped.get(20000)?.quantity).toBe(1);
  });

  it('rejects one line number reported with two items', () => {
    const event = shipmentEvent({
      lines: [
        { lineNumber: 10000, product: 'TENT-2P', quantity: 1, uom: 'PCS' },
        { lineNumber: 10000, product: 'STOVE-1', quantity: 1, uom: 'PCS' },
      ],
    });

    const error = thrown(() => shippedPerLine(event));

    expect(error.code).toBe('UNKNOWN_ITEM');
    expect(error.message).toContain('TENT-2P and STOVE-1');
  });
});

describe('checkModeSupports', () => {
  it('accepts an untracked shipment in standard mode', () => {
    expect(() => checkModeSupports(shipmentEvent(), 'standard')).not.toThrow();
  });

  it('rejects lots in standard mode naming the line and the extension', () => {
    const event = shipmentEvent({
      lines: [
        {
          lineNumber: 20000,
          product: 'FUEL-CAN-1L',
          quantity: 2,
          uom: 'PCS',
          lots: [{ lot: 'L-2026-11', quantity: 2 }],
        },
      ],
    });

    const error = thrown(() => checkModeSupports(event, 'standard'));

    expect(error.code).toBe('NEEDS_EXTENSION');
    expect(error.message).toContain('line 20000 (item FUEL-CAN-1L) carries lot numbers');
    expect(error.message).toContain('companion BC extension');
    expect(error.details.lineNumber).toBe(20000);
  });

  it('rejects serials in standard mode', () => {
    const event = shipmentEvent({
      lines: [
        { lineNumber: 10000, product: 'TENT-2P', quantity: 1, uom: 'PCS', serials: ['SN-1'] },
      ],
    });

    const error = thrown(() => checkModeSupports(event, 'standard'));

    expect(error.message).toContain('serial numbers');
  });

  it('rejects extension mode as not implemented', () => {
    const error = thrown(() => checkModeSupports(shipmentEvent(), 'extension'));

    expect(error.code).toBe('NEEDS_EXTENSION');
    expect(error.message).toContain('not implemented');
  });
});

describe('planShipment', () => {
  it('plans the shipped line and its expected shipped quantity', () => {
    const line = orderLine({ shippedQuantity: 1, quantity: 5 });

    const plan = planShipment(shipmentEvent(), order([line]));

    expect(plan.ship).toEqual([{ line, quantity: 3 }]);
    expect(plan.expected).toEqual({ '10000': 4 });
    expect(plan.reset).toEqual([]);
  });

  it('resets other lines that would ship or invoice', () => {
    const open = orderLine({ sequence: 20000, lineObjectNumber: 'STOVE-1', quantity: 2 });
    const uninvoiced = orderLine({
      sequence: 30000,
      lineObjectNumber: 'LANTERN',
      quantity: 2,
      shippedQuantity: 2,
      shipQuantity: 0,
      invoiceQuantity: 2,
    });
    const done = orderLine({
      sequence: 40000,
      lineObjectNumber: 'MAT',
      quantity: 1,
      shippedQuantity: 1,
      shipQuantity: 0,
      invoiceQuantity: 0,
    });
    const comment = orderLine({
      sequence: 50000,
      lineType: 'Comment',
      quantity: 0,
      shipQuantity: 0,
    });

    const plan = planShipment(
      shipmentEvent(),
      order([orderLine(), open, uninvoiced, done, comment]),
    );

    expect(plan.reset.map((line) => line.sequence)).toEqual([20000, 30000]);
  });

  it('matches item numbers regardless of case', () => {
    const event = shipmentEvent({
      lines: [{ lineNumber: 10000, product: 'tent-2p', quantity: 1, uom: 'pcs' }],
    });

    expect(planShipment(event, order([orderLine()])).expected).toEqual({ '10000': 1 });
  });

  it('rejects a line the order does not have', () => {
    const event = shipmentEvent({
      lines: [{ lineNumber: 70000, product: 'TENT-2P', quantity: 1, uom: 'PCS' }],
    });

    const error = thrown(() => planShipment(event, order([orderLine()])));

    expect(error.code).toBe('UNKNOWN_ITEM');
    expect(error.message).toContain('has no line 70000 (its lines are 10000)');
  });

  it('rejects a different item naming both', () => {
    const event = shipmentEvent({
      lines: [{ lineNumber: 10000, product: 'TENT-4P', quantity: 1, uom: 'PCS' }],
    });

    const error = thrown(() => planShipment(event, order([orderLine()])));

    expect(error.code).toBe('UNKNOWN_ITEM');
    expect(error.message).toContain('is item TENT-2P, not item TENT-4P');
  });

  it('rejects a comment line', () => {
    const line = orderLine({ lineType: 'Comment', lineObjectNumber: '' });

    const error = thrown(() => planShipment(shipmentEvent(), order([line])));

    expect(error.code).toBe('UNKNOWN_ITEM');
    expect(error.message).toContain('a Comment line');
  });

  it('rejects a different unit of measure', () => {
    const event = shipmentEvent({
      lines: [{ lineNumber: 10000, product: 'TENT-2P', quantity: 1, uom: 'BOX' }],
    });

    const error = thrown(() => planShipment(event, order([orderLine()])));

    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.message).toContain('unit BOX');
    expect(error.message).toContain('in PCS');
  });

  it('rejects a quantity above the open quantity naming both', () => {
    const line = orderLine({ quantity: 4, shippedQuantity: 2 });

    const error = thrown(() => planShipment(shipmentEvent(), order([line])));

    expect(error.code).toBe('QUANTITY_ABOVE_OPEN');
    expect(error.message).toContain('shipped 3, but only 2 is open on line 10000');
    expect(error.details).toMatchObject({ requested: 3, open: 2, lineNumber: 10000 });
  });

  it('accepts exactly the open quantity', () => {
    const line = orderLine({ quantity: 4, shippedQuantity: 1 });

    expect(planShipment(shipmentEvent(), order([line])).expected).toEqual({ '10000': 4 });
  });
});

describe('assessPosting', () => {
  const event = shipmentEvent({
    lines: [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3, uom: 'PCS' },
      { lineNumber: 20000, product: 'STOVE-1', quantity: 1, uom: 'PCS' },
    ],
  });
  const shipped = shippedPerLine(event);
  const expected = { '10000': 4, '20000': 1 };
  const lines = (first: number, second: number) => [
    orderLine({ shippedQuantity: first, quantity: 6 }),
    orderLine({ sequence: 20000, lineObjectNumber: 'STOVE-1', shippedQuantity: second }),
  ];

  it('returns posted when every line reached its expected quantity', () => {
    expect(assessPosting(lines(4, 1), expected, shipped)).toBe('posted');
  });

  it('returns notPosted when no line moved', () => {
    expect(assessPosting(lines(1, 0), expected, shipped)).toBe('notPosted');
  });

  it('returns mixed when only one line moved', () => {
    expect(assessPosting(lines(4, 0), expected, shipped)).toBe('mixed');
  });

  it('returns mixed when a line moved part of the way', () => {
    expect(assessPosting(lines(2, 1), expected, shipped)).toBe('mixed');
  });

  it('returns mixed when a line is gone', () => {
    expect(assessPosting(lines(4, 1).slice(0, 1), expected, shipped)).toBe('mixed');
  });
});

describe('posted shipments', () => {
  const shipped = shippedPerLine(shipmentEvent());
  const shipment = (number: string, modified: string, quantity: number): SalesShipment => ({
    number,
    orderNumber: 'SO-104317',
    lastModifiedDateTime: modified,
    salesShipmentLines: [{ sequence: 10000, quantity }],
  });

  it('picks the newest shipment with the event quantities', () => {
    const shipments = [
      shipment('SSH-1', '2026-12-01T10:00:00Z', 3),
      shipment('SSH-3', '2026-12-03T10:00:00Z', 1),
      shipment('SSH-2', '2026-12-02T10:00:00Z', 3),
    ];

    expect(pickShipmentNumber(shipments, shipped)).toBe('SSH-2');
  });

  it('falls back to the newest shipment', () => {
    const shipments = [
      shipment('SSH-1', '2026-12-01T10:00:00Z', 1),
      shipment('SSH-2', '2026-12-02T10:00:00Z', 2),
    ];

    expect(pickShipmentNumber(shipments, shipped)).toBe('SSH-2');
  });

  it('returns undefined without shipments', () => {
    expect(pickShipmentNumber([], shipped)).toBeUndefined();
  });

  it('sums shipment lines against the expected quantities', () => {
    const shipments = [
      shipment('SSH-1', '2026-12-01T10:00:00Z', 1),
      shipment('SSH-2', '2026-12-02T10:00:00Z', 3),
    ];

    expect(shipmentsReachExpected(shipments, { '10000': 4 })).toBe(true);
    expect(shipmentsReachExpected(shipments, { '10000': 5 })).toBe(false);
    expect(shipmentsReachExpected([], { '10000': 1 })).toBe(false);
  });

  it('cannot confirm from shipments read without lines', () => {
    const bare = omit(shipment('SSH-1', '2026-12-01T10:00:00Z', 4), 'salesShipmentLines');

    expect(shipmentsReachExpected([bare], { '10000': 4 })).toBe(false);
  });
});
