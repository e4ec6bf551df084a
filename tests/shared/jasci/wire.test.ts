import * as v from 'valibot';
import {
  describeIssues,
  issueField,
  issueMessage,
  MAX_QUANTITY,
  jasciEventEnvelopeSchema,
  jasciOutboundOrderSchema,
  jasciShipmentEventSchema,
  type JasciOutboundOrder,
} from '../../../shared/jasci/wire';

const order: JasciOutboundOrder = {
  orderNumber: 'S-ORD101001',
  erpOrderNumber: 'S-ORD101001',
  customerCode: '10000',
  warehouseCode: 'WH1',
  promisedDeliveryDate: '2026-03-01',
  shipTo: {
    name: 'Adatum Corporation',
    addressLine1: 'Station Road, 21',
    city: 'Cambridge',
    postCode: 'CB1 2FB',
    country: 'GB',
  },
  lines: [{ lineNumber: 10000, product: '1896-S', quantity: 4, uom: 'PCS' }],
};

const shipment = {
  event: 'shipment.closed',
  eventId: 'evt-1',
  timestamp: '2026-02-02T10:30:00Z',
  shipmentNumber: 'SH000001',
  orderNumber: 'S-ORD101001',
  erpOrderNumber: 'S-ORD101001',
  warehouseCode: 'WH1',
  lines: [{ lineNumber: 10000, product: '1896-S', quantity: 2, uom: 'PCS' }],
};

function problems(schema: v.GenericSchema, value: unknown): string[] {
  const result = v.safeParse(schema, value);
  return result.success ? [] : describeIssues(result.issues);
}

describe('jasciOutboundOrderSchema', () => {
  it('accepts a complete order', () => {
    expect(problems(jasciOutboundOrderSchema, order)).toEqual([]);
  });

  it('names the blank field by its path', () => {
    const blankCity = { ...order, shipTo: { ...order.shipTo, city: ' ' } };
    expect(problems(jasciOutboundOrderSchema, blankCity)).toEqual([
      'shipTo.city: must not be empty',
    ]);
  });

  it('rejects the blank BC date instead of an omitted one', () => {
    const result = problems(jasciOutboundOrderSchema, {
      ...order,
      promisedDeliveryDate: '0001-01-01',
    });
    expect(result).toEqual([
      'promisedDeliveryDate: must be omitted when blank, not sent as 0001-01-01',
    ]);
  });

  it('rejects an empty optional text', () => {
    expect(problems(jasciOutboundOrderSchema, { ...order, carrier: '' })).toEqual([
      'carrier: must not be empty',
    ]);
  });

  it('rejects a zero quantity on a line', () => {
    const lines = [{ ...order.lines[0], quantity: 0 }];
    expect(problems(jasciOutboundOrderSchema, { ...order, lines })).toEqual([
      'lines.0.quantity: must be greater than 0',
    ]);
  });

  it('rejects two lines with the same lineNumber', () => {
    const line = order.lines[0]!;
    const lines = [line, { ...line, product: 'OTHER' }];
    expect(problems(jasciOutboundOrderSchema, { ...order, lines })).toEqual([
      'lines: lines 0 and 1 both have lineNumber 10000; each line needs its own lineNumber',
    ]);
  });

  it('rejects a lineNumber below 1', () => {
    const lines = [{ ...order.lines[0]!, lineNumber: 0 }];
    expect(problems(jasciOutboundOrderSchema, { ...order, lines })).toEqual([
      'lines.0.lineNumber: must be at least 1',
    ]);
  });

  it('rejects an order without lines', () => {
    expect(problems(jasciOutboundOrderSchema, { ...order, lines: [] })).toEqual([
      'lines: must hold at least one line',
    ]);
  });
});

describe('jasciShipmentEventSchema', () => {
  it('keeps fields it does not know', () => {
    const result = v.parse(jasciShipmentEventSchema, {
      ...shipment,
      packageCount: 3,
      lines: [{ ...shipment.lines[0], binLocation: 'A-01' }],
    });
    expect(result.packageCount).toBe(3);
    expect(result.lines[0]?.binLocation).toBe('A-01');
  });

  it('accepts an event without eventId', () => {
    const withoutId: Partial<typeof shipment> = { ...shipment };
    delete withoutId.eventId;
    expect(problems(jasciShipmentEventSchema, withoutId)).toEqual([]);
  });

  it('accepts lots that add up to the line quantity', () => {
    const lots = [
      { lot: 'L1', quantity: 1.5 },
      { lot: 'L2', quantity: 0.5 },
    ];
    const event = { ...shipment, lines: [{ ...shipment.lines[0], lots }] };
    expect(problems(jasciShipmentEventSchema, event)).toEqual([]);
  });

  it('rejects lots that do not add up to the line quantity', () => {
    const event = {
      ...shipment,
      lines: [{ ...shipment.lines[0], lots: [{ lot: 'L1', quantity: 1 }] }],
    };
    expect(problems(jasciShipmentEventSchema, event)).toEqual([
      'lines.0.lots: lot quantities must add up to the line quantity',
    ]);
  });

  it('rejects a serial count that differs from the quantity', () => {
    const event = { ...shipment, lines: [{ ...shipment.lines[0], serials: ['SN1'] }] };
    expect(problems(jasciShipmentEventSchema, event)).toEqual([
      'lines.0.serials: must hold one serial number per unit shipped',
    ]);
  });

  it('rejects another event name', () => {
    expect(problems(jasciShipmentEventSchema, { ...shipment, event: 'order.status' })).toEqual([
      'event: must be shipment.closed',
    ]);
  });

  it('rejects a timestamp that is not ISO-8601', () => {
    const result = problems(jasciShipmentEventSchema, { ...shipment, timestamp: '02/02/2026' });
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^timestamp: /);
  });
});

describe('jasciShipmentEventSchema quantity bounds', () => {
  const aboveLimit = `must be at most ${MAX_QUANTITY}, the connector's limit`;
  const outOfRange: [string, number, string][] = [
    ['1e308', 1e308, aboveLimit],
    ['Infinity', Infinity, aboveLimit],
    ['MAX_QUANTITY + 1', MAX_QUANTITY + 1, aboveLimit],
    ['-Infinity', -Infinity, 'must be greater than 0'],
    ['0', 0, 'must be greater than 0'],
  ];

  it.each(outOfRange)('rejects line quantity %s', (_name, quantity, message) => {
    const lines = [{ ...shipment.lines[0], quantity }];
    expect(problems(jasciShipmentEventSchema, { ...shipment, lines })).toEqual([
      `lines.0.quantity: ${message}`,
    ]);
  });

  it('rejects a lot quantity of 1e308', () => {
    const lines = [{ ...shipment.lines[0], lots: [{ lot: 'L1', quantity: 1e308 }] }];
    expect(problems(jasciShipmentEventSchema, { ...shipment, lines })).toContain(
      `lines.0.lots.0.quantity: must be at most ${MAX_QUANTITY}, the connector's limit`,
    );
  });

  it('accepts the largest quantity', () => {
    const lines = [{ ...shipment.lines[0], quantity: MAX_QUANTITY }];
    expect(problems(jasciShipmentEventSchema, { ...shipment, lines })).toEqual([]);
  });
});

describe('issueMessage', () => {
  function firstIssue(value: unknown): v.BaseIssue<unknown> {
    const result = v.safeParse(jasciShipmentEventSchema, value);
    if (result.success) throw new Error('expected the event to be invalid');
    return result.issues[0];
  }

  it.each(['event', 'timestamp', 'shipmentNumber', 'erpOrderNumber', 'warehouseCode', 'lines'])(
    'says what to send for a missing %s',
    (field) => {
      const event: Record<string, unknown> = { ...shipment };
      delete event[field];
      const issue = firstIssue(event);
      expect(issueField(issue)).toBe(field);
      expect(issueMessage(issue)).toMatch(/^missing; send /);
    },
  );

  it.each(['lineNumber', 'product', 'quantity', 'uom'])(
    'says what to send for a missing line %s',
    (field) => {
      const line: Record<string, unknown> = { ...shipment.lines[0] };
      delete line[field];
      const issue = firstIssue({ ...shipment, lines: [line] });
      expect(issueField(issue)).toBe(`lines[0].${field}`);
      expect(issueMessage(issue)).toMatch(/^missing; send /);
    },
  );

  const wrongTypes: [string, unknown, string][] = [
    [
      'a string quantity',
      { ...shipment, lines: [{ ...shipment.lines[0], quantity: '2' }] },
      'must be a number',
    ],
    [
      'a numeric product',
      { ...shipment, lines: [{ ...shipment.lines[0], product: 7 }] },
      'must be a string',
    ],
    ['a line that is not an object', { ...shipment, lines: [5] }, 'must be an object'],
    ['lines as an object', { ...shipment, lines: {} }, 'must be an array'],
  ];

  it.each(wrongTypes)('names the expected type for %s', (_name, event, message) => {
    const issue = firstIssue(event);
    expect(issueMessage(issue)).toBe(message);
    expect(issueMessage(issue)).not.toMatch(/Invalid|Expected|received/);
  });

  it('uses the hints it is given for a missing field', () => {
    const result = v.safeParse(v.object({ salesOrderLines: v.array(v.unknown()) }), {});
    if (result.success) throw new Error('expected the object to be invalid');
    expect(issueMessage(result.issues[0], { salesOrderLines: 'expand the lines' })).toBe(
      'missing; expand the lines',
    );
  });
});

describe('jasciEventEnvelopeSchema', () => {
  it('accepts any event name and keeps the rest', () => {
    const result = v.parse(jasciEventEnvelopeSchema, {
      event: 'inventory.updated',
      timestamp: '2026-02-02T10:30:00.123Z',
      product: '1896-S',
    });
    expect(result.product).toBe('1896-S');
  });
});
