import path from 'node:path';
import type { BcSandbox } from '../../../dev/bc-sandbox';
import {
  defaultFixtureDirectory,
  generateSalesOrders,
  seedFromFixtures,
} from '../../../dev/bc-sandbox/seed';
import { callApi, getToken, startTestSandbox } from './sandboxClient';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('BC sandbox seeding', () => {
  let sandbox: BcSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  test('default fixture folder is next to the project', () => {
    const directory = defaultFixtureDirectory();
    expect(directory.endsWith(path.join('tests', 'fixtures', 'bc'))).toBe(true);
    expect(
      defaultFixtureDirectory(path.join(__dirname, '..', '..', '..', 'dist', 'dev', 'bc-sandbox')),
    ).toBe(directory);
  });

  test('missing fixture folder is reported with the path', () => {
    expect(() => seedFromFixtures(sandbox, '/nonexistent/fixtures')).toThrow(
      /\/nonexistent\/fixtures/,
    );
  });

  test('seed from fixtures repairs the odd examples', async () => {
    const seeded = seedFromFixtures(sandbox);
    expect(seeded.locations.map((location) => location.code)).toEqual(['MAIN', 'EAST', 'WEST']);
    expect(seeded.customers.map((customer) => customer.number)).toEqual(['10000', '20000']);
    expect(seeded.items.map((item) => item.number).sort()).toEqual([
      '1896-S',
      '1928-S',
      '1996-S',
      'ITEM001',
    ]);

    // The shipment example has an 11-digit last GUID group and a date-only timestamp.
    const [shipment] = seeded.salesShipments;
    expect(shipment?.id).toMatch(GUID);
    expect(shipment?.lastModifiedDateTime).toBe('2019-01-01T00:00:00Z');
    const shipmentLines = shipment?.salesShipmentLines as Array<Record<string, unknown>>;
    expect(shipmentLines[0]?.lineType).toBe('Item');
    expect(shipmentLines[0]?.documentNo).toBe('108001');

    // The create example's `documentLines` become real lines of a draft order.
    const draft = sandbox.store.getSalesOrder('101005');
    expect(draft?.status).toBe('Draft');
    const draftLines = draft?.salesOrderLines as Array<Record<string, unknown>>;
    expect(draftLines).toHaveLength(1);
    expect(draftLines[0]?.lineObjectNumber).toBe('ITEM001');
    expect(draftLines[0]?.quantity).toBe(10);
    expect(draftLines[0]?.sequence).toBe(1000);

    const released = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=status eq 'Open'&$expand=salesOrderLines`,
    );
    expect(released.body.value).toHaveLength(1);
    const [order] = released.body.value;
    expect(order.customerName).toBe('Adatum Corporation');
    expect(
      order.salesOrderLines.map((line: { lineObjectNumber: string }) => line.lineObjectNumber),
    ).toEqual(['1996-S', '1928-S']);
    expect(order.salesOrderLines[0].locationId).toBe('00000000-0000-0000-0000-000000000000');
    expect(order.totalAmountExcludingTax).toBe(16767.6 + 3 * 54.9);

    const customers = await callApi(sandbox, token, 'GET', `customers?$filter=number eq '10000'`);
    expect(customers.body.value[0].blocked).toBe(' ');
  });

  test('generated orders repeat for the same seed', async () => {
    const first = await startTestSandbox();
    const second = await startTestSandbox();
    try {
      const shape = (sandboxToFill: BcSandbox) => {
        seedFromFixtures(sandboxToFill);
        return generateSalesOrders(sandboxToFill, {
          count: 20,
          minLines: 1,
          maxLines: 4,
          locations: ['MAIN', 'EAST', ''],
          seed: 42,
        }).map((order) => ({
          id: order.id,
          number: order.number,
          customer: order.customerNumber,
          lines: (order.salesOrderLines as Array<Record<string, unknown>>).map((line) => [
            line.id,
            line.lineObjectNumber,
            line.quantity,
            line.locationId,
          ]),
        }));
      };
      const a = shape(first);
      const b = shape(second);
      expect(a).toEqual(b);
      expect(a).toHaveLength(20);
      for (const order of a) {
        expect(order.lines.length).toBeGreaterThanOrEqual(1);
        expect(order.lines.length).toBeLessThanOrEqual(4);
      }
      const locationIds = new Set(a.flatMap((order) => order.lines.map((line) => line[3])));
      expect(locationIds.has('00000000-0000-0000-0000-000000000000')).toBe(true);
      expect(locationIds.size).toBe(3);
      const other = generateSalesOrders(first, { count: 1, seed: 7 });
      expect(other[0]?.id).not.toBe(a[0]?.id);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  test('generate without master data explains what to do', async () => {
    const empty = await startTestSandbox();
    try {
      expect(() => generateSalesOrders(empty, { count: 1 })).toThrow(/seedFromFixtures/);
    } finally {
      await empty.stop();
    }
  });
});
