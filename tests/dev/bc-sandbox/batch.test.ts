import type { BcSandbox, Snapshot } from '../../../dev/bc-sandbox';
import { callApi, getToken, startTestSandbox, testIds } from './sandboxClient';

describe('BC sandbox $batch', () => {
  let sandbox: BcSandbox;
  let token: string;
  let batchUrl: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
    batchUrl = `${sandbox.apiBaseUrl}/${testIds.tenantId}/${testIds.environment}/api/v2.0/$batch`;
    sandbox.store.addItem({ number: 'TENT-2P', baseUnitOfMeasureCode: 'PCS' });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const lineIds = (order: Snapshot): string[] =>
    (order.salesOrderLines as Snapshot[]).map((line) => String(line.id));

  test('inner GET and PATCH run with their own headers', async () => {
    const order = sandbox.store.addSalesOrder({
      number: 'SO-300001',
      lines: [
        { lineObjectNumber: 'TENT-2P', quantity: 4 },
        { lineObjectNumber: 'TENT-2P', quantity: 2 },
      ],
    });
    const lines = order.salesOrderLines as Snapshot[];
    const result = await callApi(sandbox, token, 'POST', batchUrl, {
      body: {
        requests: [
          {
            id: '1',
            method: 'PATCH',
            url: `companies(${testIds.companyId})/salesOrderLines(${String(lines[0]?.id)})`,
            headers: { 'If-Match': lines[0]?.['@odata.etag'] },
            body: { shipQuantity: 1, invoiceQuantity: 0 },
          },
          {
            id: '2',
            method: 'PATCH',
            url: `salesOrderLines(${String(lines[1]?.id)})`,
            headers: { Company: testIds.companyId },
            body: { shipQuantity: 1 },
          },
          {
            method: 'GET',
            url: `companies(${testIds.companyId})/salesOrders(${String(order.id)})`,
          },
        ],
      },
    });
    expect(result.status).toBe(200);
    const [patched, missingEtag, read] = result.body.responses;
    expect(patched.id).toBe('1');
    expect(patched.status).toBe(200);
    expect(patched.body.shipQuantity).toBe(1);
    expect(missingEtag.status).toBe(400);
    expect(missingEtag.body.error.code).toBe('BadRequest_InvalidToken');
    expect(read.id).toBeNull();
    expect(read.body.number).toBe('SO-300001');
  });

  test('Isolation snapshot rolls back when an inner request fails', async () => {
    const order = sandbox.store.addSalesOrder({
      number: 'SO-300002',
      lines: [{ lineObjectNumber: 'TENT-2P', quantity: 4 }],
    });
    const [lineId] = lineIds(order);
    const result = await callApi(sandbox, token, 'POST', batchUrl, {
      headers: { Isolation: 'snapshot' },
      body: {
        requests: [
          {
            method: 'PATCH',
            url: `companies(${testIds.companyId})/salesOrderLines(${String(lineId)})`,
            headers: { 'If-Match': '*' },
            body: { shipQuantity: 1 },
          },
          {
            method: 'PATCH',
            url: `companies(${testIds.companyId})/salesOrderLines(${String(lineId)})`,
            headers: { 'If-Match': '*' },
            body: { shipQuantity: 9 },
          },
        ],
      },
    });
    expect(result.body.responses.map((response: { status: number }) => response.status)).toEqual([
      200, 400,
    ]);
    const line = (sandbox.store.getSalesOrder('SO-300002')?.salesOrderLines as Snapshot[])[0];
    expect(line?.shipQuantity).toBe(4);
  });

  test('more than 100 operations are rejected', async () => {
    const requests = Array.from({ length: 101 }, () => ({
      method: 'GET',
      url: `companies(${testIds.companyId})/items`,
    }));
    const result = await callApi(sandbox, token, 'POST', batchUrl, { body: { requests } });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toMatch(/101/);
  });
});
