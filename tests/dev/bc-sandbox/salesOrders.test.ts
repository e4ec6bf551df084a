import type { BcSandbox } from '../../../dev/bc-sandbox';
import { callApi, getToken, startTestSandbox } from './sandboxClient';

const WATERMARK = '2026-12-01T10:00:00Z';

describe('BC sandbox salesOrders queries', () => {
  let sandbox: BcSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
    const store = sandbox.store;
    store.addLocation({ code: 'MAIN', displayName: 'Main Warehouse' });
    store.addItem({
      number: 'TENT-2P',
      displayName: 'Two-person dome tent',
      baseUnitOfMeasureCode: 'PCS',
      unitPrice: 129,
    });
    store.addCustomer({
      number: 'C-10420',
      displayName: 'Bluefin Outdoor Supply',
      city: 'Portmere',
    });
    // One order before the watermark, seven released after it, one draft and one in review.
    store.addSalesOrder({
      number: 'SO-104320',
      customerNumber: 'C-10420',
      lastModifiedDateTime: '2026-12-01T09:59:00Z',
      lines: [{ lineObjectNumber: 'TENT-2P', quantity: 1 }],
    });
    for (let i = 1; i <= 7; i += 1) {
      store.addSalesOrder({
        number: `SO-10432${i}`,
        customerNumber: 'C-10420',
        lastModifiedDateTime: `2026-12-01T10:0${i}:00Z`,
        lines: [
          { lineObjectNumber: 'TENT-2P', quantity: i, locationCode: 'MAIN' },
          { lineObjectNumber: 'TENT-2P', quantity: 1 },
        ],
      });
    }
    store.addSalesOrder({
      number: 'SO-104330',
      customerNumber: 'C-10420',
      status: 'Draft',
      lastModifiedDateTime: '2026-12-01T11:00:00Z',
    });
    store.addSalesOrder({
      number: 'SO-104331',
      customerNumber: 'C-10420',
      status: 'In Review',
      lastModifiedDateTime: '2026-12-01T11:01:00Z',
    });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const numbers = (body: { value: Array<{ number: string }> }): string[] =>
    body.value.map((order) => order.number);

  test('maxpagesize pages across several pages with nextLink', async () => {
    const filter = `status eq 'Open' and lastModifiedDateTime gt ${WATERMARK}`;
    const seen: string[] = [];
    let url: string | undefined = `salesOrders?$filter=${encodeURIComponent(filter)}`;
    let pages = 0;
    while (url) {
      const result = await callApi(sandbox, token, 'GET', url, {
        headers: { Prefer: 'odata.maxpagesize=2' },
      });
      expect(result.status).toBe(200);
      expect(result.headers.get('preference-applied')).toBe('odata.maxpagesize=2');
      expect(result.body.value.length).toBeLessThanOrEqual(2);
      seen.push(...numbers(result.body));
      url = result.body['@odata.nextLink'];
      if (url) {
        expect(url.startsWith(sandbox.companyUrl)).toBe(true);
        expect(url).toContain('$skiptoken=');
        expect(new URL(url).searchParams.get('$filter')).toBe(filter);
      }
      pages += 1;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual([
      'SO-104321',
      'SO-104322',
      'SO-104323',
      'SO-104324',
      'SO-104325',
      'SO-104326',
      'SO-104327',
    ]);
  });

  test('$top returns no nextLink although more rows match', async () => {
    const filter = encodeURIComponent(`status eq 'Open' and lastModifiedDateTime gt ${WATERMARK}`);
    const result = await callApi(sandbox, token, 'GET', `salesOrders?$filter=${filter}&$top=2`);
    expect(result.status).toBe(200);
    expect(numbers(result.body)).toEqual(['SO-104321', 'SO-104322']);
    expect(result.body['@odata.nextLink']).toBeUndefined();
  });

  test('filter on lastModifiedDateTime gt and ge', async () => {
    const gt = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=lastModifiedDateTime gt 2026-12-01T10:06:00Z`,
    );
    expect(numbers(gt.body)).toEqual(['SO-104327', 'SO-104330', 'SO-104331']);
    const ge = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=lastModifiedDateTime ge 2026-12-01T10:06:00.000Z`,
    );
    expect(numbers(ge.body)).toEqual(['SO-104326', 'SO-104327', 'SO-104330', 'SO-104331']);
  });

  test('filter on status uses the API names', async () => {
    const draft = await callApi(sandbox, token, 'GET', `salesOrders?$filter=status eq 'Draft'`);
    expect(numbers(draft.body)).toEqual(['SO-104330']);
    const review = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=status eq 'In Review'`,
    );
    expect(numbers(review.body)).toEqual(['SO-104331']);
    const open = await callApi(sandbox, token, 'GET', `salesOrders?$filter=status eq 'Open'`);
    expect(open.body.value).toHaveLength(8);
  });

  test('filter on number', async () => {
    const result = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=number eq 'SO-104323'`,
    );
    expect(numbers(result.body)).toEqual(['SO-104323']);
  });

  test('$expand returns lines with etags, blank location as zero GUID', async () => {
    const result = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=number eq 'SO-104323'&$expand=salesOrderLines`,
    );
    const [order] = result.body.value;
    expect(order['@odata.etag']).toMatch(/^W\/"/);
    expect(order.salesOrderLines).toHaveLength(2);
    const [first, second] = order.salesOrderLines;
    expect(first['@odata.etag']).toMatch(/^W\/"/);
    expect(first.sequence).toBe(10000);
    expect(first.lineObjectNumber).toBe('TENT-2P');
    expect(first.quantity).toBe(3);
    expect(first.unitOfMeasureCode).toBe('PCS');
    expect(first.locationId).toBe(sandbox.store.findBy('locations', 'code', 'MAIN')?.fields.id);
    expect(second.locationId).toBe('00000000-0000-0000-0000-000000000000');
    expect(order.requestedDeliveryDate).toBe('0001-01-01');
    expect(order.externalDocumentNumber).toBe('');
    expect(order.shipToCity).toBe('Portmere');
  });

  test('nested $expand and $select on lines', async () => {
    const query = `$filter=number eq 'SO-104321'&$select=number&$expand=salesOrderLines($select=sequence,locationId;$expand=location($select=code))`;
    const result = await callApi(sandbox, token, 'GET', `salesOrders?${query}`);
    const [order] = result.body.value;
    expect(Object.keys(order).sort()).toEqual(['@odata.etag', 'number', 'salesOrderLines']);
    const [first, second] = order.salesOrderLines;
    expect(Object.keys(first).sort()).toEqual([
      '@odata.etag',
      'location',
      'locationId',
      'sequence',
    ]);
    expect(first.location.code).toBe('MAIN');
    expect(second.location).toBeNull();
  });

  test('$orderby lastModifiedDateTime desc', async () => {
    const result = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$orderby=lastModifiedDateTime desc&$top=2`,
    );
    expect(numbers(result.body)).toEqual(['SO-104331', 'SO-104330']);
  });

  test('paging with $orderby keeps the order across pages', async () => {
    const seen: string[] = [];
    let url: string | undefined = `salesOrders?$orderby=lastModifiedDateTime desc&$select=number`;
    while (url) {
      const result = await callApi(sandbox, token, 'GET', url, {
        headers: { Prefer: 'odata.maxpagesize=3' },
      });
      seen.push(...numbers(result.body));
      url = result.body['@odata.nextLink'];
    }
    expect(seen).toEqual([
      'SO-104331',
      'SO-104330',
      'SO-104327',
      'SO-104326',
      'SO-104325',
      'SO-104324',
      'SO-104323',
      'SO-104322',
      'SO-104321',
      'SO-104320',
    ]);
  });

  test('@odata.context and entity GET with ETag header', async () => {
    const list = await callApi(sandbox, token, 'GET', `salesOrders?$filter=number eq 'SO-104322'`);
    expect(list.body['@odata.context']).toContain('$metadata#companies(');
    const id = list.body.value[0].id;
    const single = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders(${id})?$expand=salesOrderLines`,
    );
    expect(single.status).toBe(200);
    expect(single.headers.get('etag')).toBe(single.body['@odata.etag']);
    expect(single.body.salesOrderLines).toHaveLength(2);
    const lines = await callApi(sandbox, token, 'GET', `salesOrders(${id})/salesOrderLines`);
    expect(lines.body.value).toHaveLength(2);
    const line = await callApi(sandbox, token, 'GET', `salesOrderLines(${lines.body.value[0].id})`);
    expect(line.status).toBe(200);
    expect(line.headers.get('etag')).toBe(lines.body.value[0]['@odata.etag']);
  });

  test('unknown order id gets 404 with BC error body', async () => {
    const result = await callApi(
      sandbox,
      token,
      'GET',
      'salesOrders(9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a)',
    );
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('BadRequest_NotFound');
  });

  test('lines without a document id filter are rejected', async () => {
    const result = await callApi(sandbox, token, 'GET', 'salesOrderLines');
    expect(result.status).toBe(400);
    expect(result.body.error.message).toMatch(/Document Id/);
  });

  test('invalid queries get 400', async () => {
    const unknownField = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=colour eq 'red'`,
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toMatch(/colour/);
    const distinctOr = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=status eq 'Open' or number eq 'X'`,
    );
    expect(distinctOr.status).toBe(400);
    expect(distinctOr.body.error.message).toMatch(/OR/);
    const quotedDate = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=lastModifiedDateTime gt '2026-12-01'`,
    );
    expect(quotedDate.status).toBe(400);
    const unknownExpand = await callApi(sandbox, token, 'GET', `salesOrders?$expand=documentLines`);
    expect(unknownExpand.status).toBe(400);
  });

  test('same-field or is accepted', async () => {
    const result = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=number eq 'SO-104321' or number eq 'SO-104322'`,
    );
    expect(numbers(result.body)).toEqual(['SO-104321', 'SO-104322']);
  });

  test('comparison with null is ignored and returns everything', async () => {
    const result = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=externalDocumentNumber eq null`,
    );
    expect(result.body.value).toHaveLength(10);
  });

  test('$count adds @odata.count', async () => {
    const result = await callApi(sandbox, token, 'GET', `salesOrders?$count=true&$top=1`);
    expect(result.body['@odata.count']).toBe(10);
    expect(result.body.value).toHaveLength(1);
  });

  test('items, customers and locations are listed', async () => {
    for (const [set, field, value] of [
      ['items', 'number', 'TENT-2P'],
      ['customers', 'number', 'C-10420'],
      ['locations', 'code', 'MAIN'],
    ]) {
      const result = await callApi(sandbox, token, 'GET', set as string);
      expect(result.status).toBe(200);
      expect(result.body.value.map((row: Record<string, unknown>) => row[field as string])).toEqual(
        [value],
      );
    }
  });

  test('touch moves an order past the watermark', async () => {
    const before = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders?$filter=number eq 'SO-104320'`,
    );
    sandbox.store.touch('SO-104320');
    const after = await callApi(sandbox, token, 'GET', `salesOrders?$filter=number eq 'SO-104320'`);
    expect(after.body.value[0]['@odata.etag']).not.toBe(before.body.value[0]['@odata.etag']);
    expect(Date.parse(after.body.value[0].lastModifiedDateTime)).toBeGreaterThan(
      Date.parse(WATERMARK),
    );
  });
});
