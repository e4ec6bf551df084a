import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bcCasesDir } from '../../../../dev/paths';
import {
  parseBcSalesOrder,
  type SalesOrderLineSnapshot,
  type SalesOrderSnapshot,
} from '../../../../shared/bc/salesOrder';
import { BusinessError } from '../../../../shared/errors';
import {
  mapSalesOrder,
  outstandingQuantity,
  payloadHash,
} from '../../../../shared/flows/salesOrders/map';
import { jasciOutboundOrderSchema } from '../../../../shared/jasci/wire';
import * as v from 'valibot';

function line(overrides: Partial<SalesOrderLineSnapshot> = {}): SalesOrderLineSnapshot {
  return {
    id: `line-${overrides.sequence ?? 10000}`,
    sequence: 10000,
    lineType: 'Item',
    lineObjectNumber: 'TENT-2P',
    description: 'Two-person dome tent',
    quantity: 4,
    shippedQuantity: 0,
    unitOfMeasureCode: 'PCS',
    locationId: '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
    locationCode: 'MAIN',
    ...overrides,
  };
}

function order(
  lines: SalesOrderLineSnapshot[],
  overrides: Partial<SalesOrderSnapshot> = {},
): SalesOrderSnapshot {
  return {
    id: 'c1a0e5d2-6b7f-4c8e-9d0a-1b2c3d4e5f01',
    number: 'SO-1001',
    status: 'Open',
    lastModifiedDateTime: '2026-12-01T09:14:22.817Z',
    customerNumber: 'C-10420',
    customerReference: 'WEB-88213',
    requestedDeliveryDate: '2026-12-08',
    shipTo: {
      name: 'Bluefin Outdoor Supply',
      contact: 'Receiving Desk',
      addressLine1: 'Unit 4, 880 Quarry Road',
      addressLine2: 'Dock B',
      city: 'Portmere',
      state: 'OR',
      postCode: '97003',
      country: 'US',
      phone: '555-0142',
      email: 'orders@bluefin.example',
    },
    lines,
    ...overrides,
  };
}

const warehouses = new Map([
  ['MAIN', 'WH-MAIN'],
  ['EAST', 'WH-EAST'],
]);

function caseOrder(file: string): SalesOrderSnapshot {
  const input: unknown = JSON.parse(readFileSync(join(bcCasesDir(), file), 'utf8')).input;
  const result = parseBcSalesOrder(input);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.value;
}

function businessErrorOf(action: () => unknown): BusinessError {
  try {
    action();
  } catch (error) {
    if (error instanceof BusinessError) return error;
    throw error;
  }
  throw new Error('expected a BusinessError, but nothing was thrown');
}

describe('mapSalesOrder', () => {
  it('maps a single-warehouse order with every header field', () => {
    const result = mapSalesOrder(order([line()]), warehouses);

    expect(result).toEqual([
      {
        orderNumber: 'SO-1001',
        erpOrderNumber: 'SO-1001',
        customerCode: 'C-10420',
        warehouseCode: 'WH-MAIN',
        promisedDeliveryDate: '2026-12-08',
        customerReference: 'WEB-88213',
        shipTo: {
          name: 'Bluefin Outdoor Supply',
          contact: 'Receiving Desk',
          addressLine1: 'Unit 4, 880 Quarry Road',
          addressLine2: 'Dock B',
          city: 'Portmere',
          state: 'OR',
          postCode: '97003',
          country: 'US',
          phone: '555-0142',
          email: 'orders@bluefin.example',
        },
        lines: [
          {
            lineNumber: 10000,
            product: 'TENT-2P',
            quantity: 4,
            uom: 'PCS',
            description: 'Two-person dome tent',
          },
        ],
      },
    ]);
    expect(v.safeParse(jasciOutboundOrderSchema, result[0]).success).toBe(true);
  });

  it('splits an order across warehouses with suffixed numbers', () => {
    const lines = [
      line({ sequence: 10000, locationCode: 'MAIN' }),
      line({ sequence: 20000, lineObjectNumber: 'STOVE-1', locationCode: 'EAST' }),
      line({ sequence: 30000, lineObjectNumber: 'MAT-XL', locationCode: 'MAIN' }),
    ];

    const result = mapSalesOrder(order(lines), warehouses);

    expect(result.map((o) => [o.orderNumber, o.erpOrderNumber, o.warehouseCode])).toEqual([
      ['SO-1001-WH-MAIN', 'SO-1001', 'WH-MAIN'],
      ['SO-1001-WH-EAST', 'SO-1001', 'WH-EAST'],
    ]);
    expect(result[0]?.lines.map((l) => l.lineNumber)).toEqual([10000, 30000]);
    expect(result[1]?.lines.map((l) => l.product)).toEqual(['STOVE-1']);
    expect(result[1]?.shipTo).toEqual(result[0]?.shipTo);
  });

  it('keeps split orders after one warehouse shipped', () => {
    const lines = [
      line({ sequence: 10000, locationCode: 'MAIN' }),
      line({ sequence: 20000, lineObjectNumber: 'STOVE-1', locationCode: 'EAST' }),
    ];
    const before = mapSalesOrder(order(lines), warehouses);
    const shipped = [{ ...lines[0]!, shippedQuantity: 4 }, lines[1]!];

    const after = mapSalesOrder(order(shipped), warehouses);

    expect(after.map((o) => o.orderNumber)).toEqual(['SO-1001-WH-MAIN', 'SO-1001-WH-EAST']);
    expect(payloadHash(after)).toBe(payloadHash(before));
  });

  it('keeps one order when two locations share a warehouse', () => {
    const shared = new Map([
      ['MAIN', 'WH-1'],
      ['EAST', 'WH-1'],
    ]);
    const lines = [line({ locationCode: 'MAIN' }), line({ sequence: 20000, locationCode: 'EAST' })];

    const result = mapSalesOrder(order(lines), shared);

    expect(result.map((o) => o.orderNumber)).toEqual(['SO-1001']);
    expect(result[0]?.lines).toHaveLength(2);
  });

  it('sends ordered quantities of partly shipped orders', () => {
    const lines = [
      line({ sequence: 10000, quantity: 10, shippedQuantity: 4 }),
      line({ sequence: 20000, quantity: 0.3, shippedQuantity: 0.1 }),
      line({ sequence: 30000, quantity: 5, shippedQuantity: 5 }),
    ];

    const result = mapSalesOrder(order(lines), warehouses);

    expect(result[0]?.lines.map((l) => [l.lineNumber, l.quantity])).toEqual([
      [10000, 10],
      [20000, 0.3],
      [30000, 5],
    ]);
  });

  it('maps a fully shipped order to nothing', () => {
    const lines = [line({ quantity: 2, shippedQuantity: 2 })];

    expect(mapSalesOrder(order(lines), warehouses)).toEqual([]);
  });

  it('leaves out lines with a zero or negative quantity', () => {
    const lines = [
      line({ quantity: 0 }),
      line({ sequence: 20000, quantity: -1 }),
      line({ sequence: 30000 }),
    ];

    expect(mapSalesOrder(order(lines), warehouses)[0]?.lines.map((l) => l.lineNumber)).toEqual([
      30000,
    ]);
  });

  it('leaves out comment, account, resource and charge lines', () => {
    const lines = [
      line({ sequence: 10000 }),
      line({
        sequence: 20000,
        lineType: 'Comment',
        lineObjectNumber: undefined,
        locationCode: undefined,
        locationId: undefined,
      }),
      line({
        sequence: 30000,
        lineType: 'Account',
        lineObjectNumber: '6100',
        locationCode: 'NOWHERE',
      }),
      line({ sequence: 40000, lineType: 'Resource', lineObjectNumber: 'LIFT' }),
      line({ sequence: 50000, lineType: 'Charge', lineObjectNumber: 'FREIGHT' }),
      line({ sequence: 60000, lineType: undefined }),
    ];

    const result = mapSalesOrder(order(lines), warehouses);

    expect(result[0]?.lines.map((l) => l.lineNumber)).toEqual([10000]);
  });

  it('maps an order with only non-item lines to nothing', () => {
    const lines = [line({ lineType: 'Comment', locationCode: undefined, locationId: undefined })];

    expect(mapSalesOrder(order(lines), warehouses)).toEqual([]);
  });

  it('maps orders that are not released to nothing', () => {
    for (const status of ['Draft', 'In Review', 'In_x0020_Review']) {
      expect({ status, result: mapSalesOrder(order([line()], { status }), warehouses) }).toEqual({
        status,
        result: [],
      });
    }
  });

  it('skips a draft order without an error', () => {
    // A Draft order is one a BC user has not released yet: it is picked up once its status is Open.
    const draft = caseOrder('02-status-draft-is-bc-open.json');

    expect(draft.status).toBe('Draft');
    expect(mapSalesOrder(draft, new Map())).toEqual([]);
    const released = {
      ...draft,
      status: 'Open',
      lines: draft.lines.map((l) => ({ ...l, locationCode: 'MAIN' })),
    };
    expect(mapSalesOrder(released, new Map([['MAIN', 'WH']]))).toHaveLength(1);
  });

  it('rejects an unmapped location with the fix', () => {
    const lines = [line({ sequence: 20000, locationCode: 'WEST' })];

    const error = businessErrorOf(() => mapSalesOrder(order(lines), warehouses));

    expect(error.code).toBe('UNMAPPED_LOCATION');
    expect(error.message).toContain('SO-1001');
    expect(error.message).toContain('line 20000');
    expect(error.message).toContain('location WEST');
    expect(error.message).toContain('add a WarehouseMap row for WEST');
    expect(error.details.orderNumber).toBe('SO-1001');
  });

  it('lists every unmapped line in one error', () => {
    const lines = [
      line({ sequence: 10000, locationCode: 'WEST' }),
      line({ sequence: 20000, locationCode: 'MAIN' }),
      line({ sequence: 30000, locationCode: 'NORTH' }),
    ];

    const error = businessErrorOf(() => mapSalesOrder(order(lines), warehouses));

    expect(error.details.problems).toHaveLength(2);
    expect(error.message).toMatch(/line 10000 .*WEST.*line 30000 .*NORTH/);
  });

  it('matches a map row whatever its letter case', () => {
    const result = mapSalesOrder(
      order([line({ locationCode: 'MAIN' })]),
      new Map([['main', 'WH-1']]),
    );

    expect(result[0]?.warehouseCode).toBe('WH-1');
  });

  it('uses the default warehouse for a blank location', () => {
    const lines = [line({ locationId: undefined, locationCode: undefined })];

    const result = mapSalesOrder(order(lines), warehouses, 'WH-DEFAULT');

    expect(result[0]?.warehouseCode).toBe('WH-DEFAULT');
  });

  it('prefers a map row for the blank location', () => {
    const lines = [line({ locationId: undefined, locationCode: undefined })];
    const withBlankRow = new Map([...warehouses, ['', 'WH-BLANK']]);

    const result = mapSalesOrder(order(lines), withBlankRow, 'WH-DEFAULT');

    expect(result[0]?.warehouseCode).toBe('WH-BLANK');
  });

  it('rejects a blank location without a default warehouse', () => {
    const lines = [line({ locationId: undefined, locationCode: undefined })];

    const error = businessErrorOf(() => mapSalesOrder(order(lines), warehouses));

    expect(error.code).toBe('UNMAPPED_LOCATION');
    expect(error.message).toContain('SO-1001');
    expect(error.message).toContain('location is blank');
    expect(error.message).toContain('DEFAULT_WAREHOUSE_CODE');
  });

  it('rejects a location id that BC does not know', () => {
    const lines = [line({ locationCode: undefined })];

    const error = businessErrorOf(() => mapSalesOrder(order(lines), warehouses));

    expect(error.code).toBe('UNKNOWN_LOCATION');
    expect(error.message).toContain('7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d');
  });

  it('rejects item lines it cannot describe to JASCI', () => {
    const cases: [Partial<SalesOrderLineSnapshot>, string, string][] = [
      [{ lineObjectNumber: undefined }, 'INVALID_PAYLOAD', 'lineObjectNumber'],
      [{ unitOfMeasureCode: undefined }, 'INVALID_PAYLOAD', 'unitOfMeasureCode'],
      [{ itemVariantId: 'b1b2b3b4-0000-4000-8000-000000000001' }, 'UNKNOWN_ITEM', 'item variant'],
    ];
    for (const [overrides, code, field] of cases) {
      const error = businessErrorOf(() => mapSalesOrder(order([line(overrides)]), warehouses));
      expect({ code: error.code, named: error.message.includes(field) }).toEqual({
        code,
        named: true,
      });
    }
  });

  it('rejects a blank customer and ship-to address', () => {
    const incomplete = order([line()], {
      customerNumber: undefined,
      shipTo: { name: 'Bluefin Outdoor Supply', country: 'US' },
    });

    const error = businessErrorOf(() => mapSalesOrder(incomplete, warehouses));

    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.message).toContain('customerNumber is blank');
    expect(error.message).toContain('ship-to addressLine1, city, postCode are blank');
  });

  it('omits blank values instead of sending them', () => {
    // BC writes '' for no text, 0001-01-01 for no date and the zero GUID for no location.
    const blank = caseOrder('09-blank-dates-strings-guids.json');

    const [result, ...others] = mapSalesOrder(blank, new Map(), 'WH-DEFAULT');

    expect(others).toEqual([]);
    expect(result).toEqual({
      orderNumber: 'SO-104319',
      erpOrderNumber: 'SO-104319',
      customerCode: 'C-10420',
      warehouseCode: 'WH-DEFAULT',
      shipTo: {
        name: 'Bluefin Outdoor Supply',
        addressLine1: 'Unit 4, 880 Quarry Road',
        city: 'Portmere',
        postCode: '97003',
        country: 'US',
      },
      lines: [
        {
          lineNumber: 10000,
          product: 'TENT-2P',
          quantity: 4,
          uom: 'PCS',
          description: 'Two-person dome tent',
        },
      ],
    });
    expect(JSON.stringify(result)).not.toMatch(/""|0001-01-01|00000000-0000/);
    expect(v.safeParse(jasciOutboundOrderSchema, result).success).toBe(true);
  });

  it('names the blank location of an order without a default', () => {
    const blank = caseOrder('09-blank-dates-strings-guids.json');

    const error = businessErrorOf(() => mapSalesOrder(blank, new Map()));

    expect(error.code).toBe('UNMAPPED_LOCATION');
    expect(error.message).toContain('SO-104319');
    expect(error.message).toContain('location is blank');
  });

  it('passes shipping agent fields through as carrier', () => {
    const withAgent = order([line()], {
      shippingAgentCode: 'UPS',
      shippingAgentServiceCode: 'GROUND',
    });

    const [result] = mapSalesOrder(withAgent, warehouses);

    expect(result?.carrier).toBe('UPS');
    expect(result?.carrierService).toBe('GROUND');
    expect('carrier' in (mapSalesOrder(order([line()]), warehouses)[0] ?? {})).toBe(false);
  });
});

describe('mapSalesOrder wire check', () => {
  // Snapshots built in code skip the snapshot schema, so these reach the mapping's own check.
  const cases: [string, SalesOrderLineSnapshot[], string][] = [
    ['line number 0', [line({ sequence: 0 })], 'lines[0].lineNumber: must be at least 1'],
    ['line number -1', [line({ sequence: -1 })], 'lines[0].lineNumber: must be at least 1'],
    [
      'a repeated line number',
      [line(), line({ id: 'other', lineObjectNumber: 'STOVE-1' })],
      'lines: lines 0 and 1 both have lineNumber 10000',
    ],
    [
      'an infinite quantity',
      [line({ quantity: Infinity })],
      "lines[0].quantity: must be at most 999999999999, the connector's limit",
    ],
  ];

  it.each(cases)('rejects %s before sending', (_name, lines, problem) => {
    const error = businessErrorOf(() => mapSalesOrder(order(lines), warehouses));

    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.message).toContain('Sales order SO-1001 maps to JASCI order SO-1001');
    expect(error.message).toContain(problem);
    expect(error.details.problems).toEqual([expect.stringContaining(problem)]);
  });
});

describe('outstandingQuantity', () => {
  it('subtracts the shipped quantity without float noise', () => {
    expect(outstandingQuantity(line({ quantity: 1.1, shippedQuantity: 0.2 }))).toBe(0.9);
  });
});

describe('payloadHash', () => {
  it('ignores key order and sees every value', () => {
    const [first] = mapSalesOrder(order([line()]), warehouses);
    if (first === undefined) throw new Error('expected one order');
    const reordered = Object.fromEntries(Object.entries(first).reverse()) as typeof first;
    const changed = { ...first, lines: [{ ...first.lines[0]!, quantity: 3 }] };

    expect(payloadHash([first])).toMatch(/^[0-9a-f]{64}$/);
    expect(payloadHash([reordered])).toBe(payloadHash([first]));
    expect(payloadHash([changed])).not.toBe(payloadHash([first]));
  });
});
