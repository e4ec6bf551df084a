import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bcCasesDir, bcFixturesDir } from '../../../../dev/paths';
import {
  parseBcSalesOrder,
  parseSalesOrderSnapshot,
  type SalesOrderSnapshot,
} from '../../../../shared/bc/salesOrder';

type Payload = Record<string, unknown> & { salesOrderLines: Record<string, unknown>[] };

function readJson(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

function caseInput(file: string): Payload {
  return (readJson(bcCasesDir(), file) as { input: Payload }).input;
}

function firstLine(payload: Payload): Record<string, unknown> {
  const line = payload.salesOrderLines[0];
  if (line === undefined) throw new Error('expected an order with at least one line');
  return line;
}

function snapshotOf(payload: unknown): SalesOrderSnapshot {
  const result = parseBcSalesOrder(payload);
  if (!result.ok) throw new Error(`expected a valid sales order: ${result.problems.join('; ')}`);
  return result.value;
}

const blankValuesOrder = () => caseInput('09-blank-dates-strings-guids.json');
const draftOrder = () => caseInput('02-status-draft-is-bc-open.json');

describe('parseBcSalesOrder', () => {
  it('keeps the fields the flow needs from a full order', () => {
    const order = snapshotOf(draftOrder());

    expect(order.id).toBe('c1a0e5d2-6b7f-4c8e-9d0a-1b2c3d4e5f02');
    expect(order.number).toBe('SO-104312');
    expect(order.status).toBe('Draft');
    expect(order.lastModifiedDateTime).toBe('2026-12-01T09:14:22.817Z');
    expect(order.customerNumber).toBe('C-10420');
    expect(order.customerReference).toBe('WEB-88213');
    expect(order.requestedDeliveryDate).toBe('2026-12-08');
    expect(order.shipTo).toEqual({
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
    });
    expect(order.lines).toEqual([
      {
        id: '00002710-0000-4000-8000-000000002710',
        sequence: 10000,
        lineType: 'Item',
        lineObjectNumber: 'TENT-2P',
        description: 'Two-person dome tent',
        quantity: 4,
        shippedQuantity: 0,
        unitOfMeasureCode: 'PCS',
        locationId: '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
      },
    ]);
  });

  it('drops totals, bill-to fields and etags', () => {
    const order = snapshotOf(draftOrder()) as unknown as Record<string, unknown>;

    expect(order['@odata.etag']).toBeUndefined();
    expect(order.totalAmountIncludingTax).toBeUndefined();
    expect(order.billToName).toBeUndefined();
    expect((order.lines as Record<string, unknown>[])[0]?.unitPrice).toBeUndefined();
  });

  it('turns every BC blank value into an absent field', () => {
    const order = snapshotOf(blankValuesOrder());
    const line = order.lines[0];

    // '' text, the 0001-01-01 date and the zero GUID are all absent, not empty.
    expect('customerReference' in order).toBe(false);
    expect('requestedDeliveryDate' in order).toBe(false);
    expect(Object.keys(order.shipTo).sort()).toEqual(
      ['addressLine1', 'city', 'country', 'name', 'postCode'].sort(),
    );
    expect(line).toBeDefined();
    expect('locationId' in line!).toBe(false);
    expect('itemVariantId' in line!).toBe(false);
    expect(JSON.stringify(order)).not.toMatch(/""|0001-01-01|00000000-0000-0000-0000-000000000000/);
  });

  it('reads blank dates in datetime form and whitespace-only text as absent', () => {
    const payload = blankValuesOrder();
    payload.requestedDeliveryDate = '0001-01-01T00:00:00Z';
    payload.shipToContact = '   ';
    firstLine(payload).lineType = '_x0020_';

    const order = snapshotOf(payload);

    expect(order.requestedDeliveryDate).toBeUndefined();
    expect(order.shipTo.contact).toBeUndefined();
    expect(order.lines[0]?.lineType).toBeUndefined();
  });

  it('decodes the XML-escaped In Review status', () => {
    const payload = draftOrder();
    payload.status = 'In_x0020_Review';

    expect(snapshotOf(payload).status).toBe('In Review');
  });

  it('accepts numeric strings for sequence and quantities', () => {
    const payload = blankValuesOrder();
    Object.assign(firstLine(payload), {
      sequence: '20000',
      quantity: '7.5',
      shippedQuantity: '2',
    });

    const line = snapshotOf(payload).lines[0];

    expect(line?.sequence).toBe(20000);
    expect(line?.quantity).toBe(7.5);
    expect(line?.shippedQuantity).toBe(2);
  });

  it('treats a missing shippedQuantity as nothing shipped', () => {
    const payload = blankValuesOrder();
    delete firstLine(payload).shippedQuantity;

    expect(snapshotOf(payload).lines[0]?.shippedQuantity).toBe(0);
  });

  it('normalises lastModifiedDateTime to millisecond UTC form', () => {
    const cases: [string, string][] = [
      ['2026-12-01T10:01:00Z', '2026-12-01T10:01:00.000Z'],
      ['2026-12-01T10:01:00.5+01:00', '2026-12-01T09:01:00.500Z'],
      ['2026-12-01T10:01:00', '2026-12-01T10:01:00.000Z'],
      ['2019-01-01', '2019-01-01T00:00:00.000Z'],
    ];
    for (const [input, expected] of cases) {
      const payload = blankValuesOrder();
      payload.lastModifiedDateTime = input;
      expect(snapshotOf(payload).lastModifiedDateTime).toBe(expected);
    }
  });

  it('reads the location code of an expanded location', () => {
    const payload = blankValuesOrder();
    firstLine(payload).locationId = '59F029B1-508C-ED11-AADA-000D3A298AB3';
    firstLine(payload).location = { code: 'MAIN' };

    const line = snapshotOf(payload).lines[0];

    expect(line?.locationId).toBe('59f029b1-508c-ed11-aada-000d3a298ab3');
    expect(line?.locationCode).toBe('MAIN');
  });

  it('names each invalid field', () => {
    const payload = blankValuesOrder();
    payload.number = '';
    payload.lastModifiedDateTime = 'yesterday';
    firstLine(payload).quantity = 'four';
    delete firstLine(payload).sequence;

    const result = parseBcSalesOrder(payload);

    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toContain('number: must not be blank');
    expect(problems).toContainEqual(expect.stringMatching(/^lastModifiedDateTime: must be an ISO/));
    expect(problems).toContain('salesOrderLines.0.quantity: must be a number');
    expect(problems).toContain('salesOrderLines.0.sequence: missing');
  });

  it('names the expected type of a wrong value', () => {
    const payload = draftOrder();
    payload.id = 5;

    const result = parseBcSalesOrder(payload);

    expect(result).toEqual({ ok: false, problems: ['id: must be a string'] });
  });

  it('rejects an order read without its lines', () => {
    const result = parseBcSalesOrder(readJson(bcFixturesDir(), 'sales-order-create-response.json'));

    expect(result).toEqual({
      ok: false,
      problems: ['salesOrderLines: missing; read sales orders with $expand=salesOrderLines'],
    });
  });

  it('rejects every fixture that is not a sales order', () => {
    for (const file of readdirSync(bcFixturesDir())) {
      if (!file.endsWith('.json') || file.startsWith('sales-order-create')) continue;
      expect({ file, ok: parseBcSalesOrder(readJson(bcFixturesDir(), file)).ok }).toEqual({
        file,
        ok: false,
      });
    }
  });
});

const limit = `must be at most 999999999999, the connector's limit`;

/** Line changes that both schemas reject, and the problem each one must report. */
const invalidLines: [string, Record<string, unknown>, string][] = [
  ['quantity 1e308', { quantity: 1e308 }, `salesOrderLines.0.quantity: ${limit}`],
  ['quantity Infinity', { quantity: Infinity }, `salesOrderLines.0.quantity: ${limit}`],
  ['quantity above the limit', { quantity: 1e12 }, `salesOrderLines.0.quantity: ${limit}`],
  ['negative quantity', { quantity: -1 }, 'salesOrderLines.0.quantity: must not be negative'],
  [
    'shippedQuantity 1e308',
    { shippedQuantity: 1e308 },
    `salesOrderLines.0.shippedQuantity: ${limit}`,
  ],
  [
    'negative shippedQuantity',
    { shippedQuantity: -1 },
    'salesOrderLines.0.shippedQuantity: must not be negative',
  ],
  [
    'shippedQuantity above quantity',
    { quantity: 4, shippedQuantity: 5 },
    "salesOrderLines.0.shippedQuantity: 5 is more than the line's quantity 4; shippedQuantity must be at most quantity, so correct the line or read the order from BC again",
  ],
  [
    'sequence 0',
    { sequence: 0 },
    "salesOrderLines.0.sequence: must be at least 1, because JASCI line numbers start at 1; use the line's BC Line No.",
  ],
  [
    'sequence -1',
    { sequence: -1 },
    "salesOrderLines.0.sequence: must be at least 1, because JASCI line numbers start at 1; use the line's BC Line No.",
  ],
  [
    'sequence 1e308',
    { sequence: 1e308 },
    'salesOrderLines.0.sequence: must be at most 999999999999',
  ],
];

describe('parseBcSalesOrder line values', () => {
  it.each(invalidLines)('rejects %s', (_name, changes, problem) => {
    const payload = draftOrder();
    Object.assign(firstLine(payload), changes);

    expect(parseBcSalesOrder(payload)).toEqual({ ok: false, problems: [problem] });
  });

  it('rejects a numeric string beyond the limit', () => {
    const payload = draftOrder();
    firstLine(payload).quantity = '9'.repeat(400);

    expect(parseBcSalesOrder(payload)).toEqual({
      ok: false,
      problems: [`salesOrderLines.0.quantity: ${limit}`],
    });
  });

  it('accepts quantities up to the limit', () => {
    const payload = draftOrder();
    Object.assign(firstLine(payload), { quantity: 999_999_999_999, shippedQuantity: 0.00001 });

    expect(parseBcSalesOrder(payload).ok).toBe(true);
  });

  it('rejects two lines with the same sequence', () => {
    const payload = draftOrder();
    payload.salesOrderLines.push({ ...firstLine(payload), id: 'second-line' });

    expect(parseBcSalesOrder(payload)).toEqual({
      ok: false,
      problems: [
        "salesOrderLines: lines 0 and 1 both have sequence 10000; each line needs its own sequence (BC's Line No.), so correct the file or read the order from BC again",
      ],
    });
  });
});

describe('parseSalesOrderSnapshot', () => {
  /** Returns a snapshot as JSON would carry it, with the first line's BC names for the check. */
  function snapshotWithFirstLine(changes: Record<string, unknown>): unknown {
    const snapshot = snapshotOf(draftOrder());
    const [first, ...rest] = snapshot.lines;
    return { ...snapshot, lines: [{ ...first, ...changes }, ...rest] };
  }

  it.each(invalidLines)('rejects %s', (_name, changes, problem) => {
    const result = parseSalesOrderSnapshot(snapshotWithFirstLine(changes));

    expect(result).toEqual({ ok: false, problems: [problem.replace('salesOrderLines', 'lines')] });
  });

  it('rejects two lines with the same sequence', () => {
    const snapshot = snapshotOf(draftOrder());
    const line = snapshot.lines[0]!;
    const result = parseSalesOrderSnapshot({ ...snapshot, lines: [line, { ...line, id: 'b' }] });

    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^lines: lines 0 and 1 both have sequence 10000;/),
    ]);
  });

  it('accepts a snapshot made by parseBcSalesOrder', () => {
    for (const payload of [draftOrder(), blankValuesOrder()]) {
      const snapshot = snapshotOf(payload);
      const copy: unknown = JSON.parse(JSON.stringify(snapshot));
      expect(parseSalesOrderSnapshot(copy)).toEqual({ ok: true, value: snapshot });
    }
  });

  it('rejects blank strings and a raw BC payload', () => {
    const snapshot = { ...snapshotOf(draftOrder()), customerNumber: '' };

    const blank = parseSalesOrderSnapshot(snapshot);
    const raw = parseSalesOrderSnapshot(draftOrder());

    expect(blank).toEqual({ ok: false, problems: ['customerNumber: must not be empty'] });
    expect(raw.ok).toBe(false);
  });
});
