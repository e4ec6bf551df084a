import type { BcSandbox, Snapshot } from '../../../dev/bc-sandbox';
import { callApi, getToken, startTestSandbox } from './sandboxClient';

describe('BC sandbox line PATCH and shipAndInvoice', () => {
  let sandbox: BcSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    token = await getToken(sandbox);
    sandbox.store.addLocation({ code: 'MAIN' });
    sandbox.store.addItem({
      number: 'TENT-2P',
      displayName: 'Two-person dome tent',
      baseUnitOfMeasureCode: 'PCS',
      unitPrice: 129,
    });
    sandbox.store.addItem({
      number: 'STOVE',
      displayName: 'Camp stove',
      baseUnitOfMeasureCode: 'PCS',
      unitPrice: 40,
    });
    sandbox.store.addCustomer({ number: 'C-10420', displayName: 'Bluefin Outdoor Supply' });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  function addOrder(number: string): Snapshot {
    return sandbox.store.addSalesOrder({
      number,
      customerNumber: 'C-10420',
      lines: [
        { lineObjectNumber: 'TENT-2P', quantity: 4, locationCode: 'MAIN' },
        { lineObjectNumber: 'STOVE', quantity: 2, locationCode: 'MAIN' },
      ],
    });
  }

  const linePath = (order: Snapshot, index: number): string => {
    const line = (order.salesOrderLines as Snapshot[])[index] as Snapshot;
    return `salesOrders(${String(order.id)})/salesOrderLines(${String(line.id)})`;
  };

  async function readLine(path: string) {
    return callApi(sandbox, token, 'GET', path);
  }

  async function patchLine(path: string, body: unknown, ifMatch?: string) {
    return callApi(sandbox, token, 'PATCH', path, {
      body,
      headers: ifMatch ? { 'If-Match': ifMatch } : {},
    });
  }

  test('PATCH without If-Match gets BadRequest_InvalidToken, also with etag in body', async () => {
    const order = addOrder('SO-200001');
    const path = linePath(order, 0);
    const line = await readLine(path);
    const noHeader = await patchLine(path, { shipQuantity: 3 });
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.error.code).toBe('BadRequest_InvalidToken');
    const bodyEtag = await patchLine(path, {
      '@odata.etag': line.body['@odata.etag'],
      shipQuantity: 3,
    });
    expect(bodyEtag.status).toBe(400);
    expect(bodyEtag.body.error.code).toBe('BadRequest_InvalidToken');
    expect((await readLine(path)).body.shipQuantity).toBe(4);
  });

  test('PATCH with a stale If-Match gets 412', async () => {
    const order = addOrder('SO-200002');
    const path = linePath(order, 0);
    const line = await readLine(path);
    const first = await patchLine(path, { shipQuantity: 2 }, line.headers.get('etag') as string);
    expect(first.status).toBe(200);
    const stale = await patchLine(path, { shipQuantity: 1 }, line.headers.get('etag') as string);
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('Request_EntityChanged');
  });

  test('PATCH with the current weak ETag sets quantities and changes the ETag', async () => {
    const order = addOrder('SO-200003');
    const path = linePath(order, 0);
    const line = await readLine(path);
    const etag = line.headers.get('etag') as string;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    const result = await patchLine(path, { shipQuantity: 3, invoiceQuantity: 0 }, etag);
    expect(result.status).toBe(200);
    expect(result.body.shipQuantity).toBe(3);
    expect(result.body.invoiceQuantity).toBe(0);
    expect(result.body['@odata.etag']).not.toBe(etag);
    expect(result.headers.get('etag')).toBe(result.body['@odata.etag']);
  });

  test('PATCH of shipQuantity alone resets invoiceQuantity like BC', async () => {
    const order = addOrder('SO-200004');
    const path = linePath(order, 0);
    const line = await readLine(path);
    const result = await patchLine(path, { shipQuantity: 3 }, line.headers.get('etag') as string);
    expect(result.body.invoiceQuantity).toBe(3);
  });

  test('PATCH rejects shipQuantity above the outstanding quantity', async () => {
    const order = addOrder('SO-200005');
    const path = linePath(order, 0);
    const line = await readLine(path);
    const result = await patchLine(path, { shipQuantity: 5 }, line.headers.get('etag') as string);
    expect(result.status).toBe(400);
    expect(result.body.error.message).toMatch(/cannot ship more than 4 units/);
  });

  test('PATCH rejects read-only and unknown properties and quantity on released orders', async () => {
    const order = addOrder('SO-200006');
    const path = linePath(order, 0);
    const etag = (await readLine(path)).headers.get('etag') as string;
    const readOnly = await patchLine(path, { shippedQuantity: 4 }, etag);
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error.code).toBe('BadRequest_InvalidOperation');
    const unknown = await patchLine(path, { receiveQuantity: 4 }, etag);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/receiveQuantity/);
    const quantity = await patchLine(path, { quantity: 10 }, etag);
    expect(quantity.status).toBe(400);
    expect(quantity.body.error.code).toBe('Application_FieldValidationException');
  });

  test('If-Match * skips the ETag check', async () => {
    const order = addOrder('SO-200007');
    const result = await patchLine(
      linePath(order, 0),
      { shipQuantity: 1, invoiceQuantity: 0 },
      '*',
    );
    expect(result.status).toBe(200);
  });

  async function prepareShipment(
    order: Snapshot,
    index: number,
    shipQuantity: number,
  ): Promise<void> {
    const path = linePath(order, index);
    const etag = (await readLine(path)).headers.get('etag') as string;
    const result = await patchLine(path, { shipQuantity, invoiceQuantity: 0 }, etag);
    expect(result.status).toBe(200);
  }

  test('shipAndInvoice posts a partial shipment and then the rest', async () => {
    const order = addOrder('SO-200010');
    await prepareShipment(order, 0, 3);
    await prepareShipment(order, 1, 0);
    const before = await callApi(sandbox, token, 'GET', `salesOrders(${String(order.id)})`);
    const post = await callApi(
      sandbox,
      token,
      'POST',
      `salesOrders(${String(order.id)})/Microsoft.NAV.shipAndInvoice`,
    );
    expect(post.status).toBe(204);

    const shipments = await callApi(
      sandbox,
      token,
      'GET',
      `salesShipments?$filter=orderNumber eq 'SO-200010'&$expand=salesShipmentLines`,
    );
    expect(shipments.body.value).toHaveLength(1);
    const [shipment] = shipments.body.value;
    expect(shipment.number).toMatch(/^S-SHPT-\d+$/);
    expect(shipment.orderNumber).toBe('SO-200010');
    expect(shipment.salesShipmentLines).toHaveLength(1);
    expect(shipment.salesShipmentLines[0].lineObjectNumber).toBe('TENT-2P');
    expect(shipment.salesShipmentLines[0].quantity).toBe(3);

    const after = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders(${String(order.id)})?$expand=salesOrderLines`,
    );
    expect(after.body['@odata.etag']).not.toBe(before.body['@odata.etag']);
    expect(after.body.lastModifiedDateTime > before.body.lastModifiedDateTime).toBe(true);
    const [tent, stove] = after.body.salesOrderLines;
    expect(tent.shippedQuantity).toBe(3);
    expect(tent.shipQuantity).toBe(1);
    expect(stove.shippedQuantity).toBe(0);
    expect(after.body.fullyShipped).toBe(false);

    await prepareShipment(order, 0, 1);
    await prepareShipment(order, 1, 2);
    expect(
      (
        await callApi(
          sandbox,
          token,
          'POST',
          `salesOrders(${String(order.id)})/Microsoft.NAV.shipAndInvoice`,
        )
      ).status,
    ).toBe(204);
    const final = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders(${String(order.id)})?$expand=salesOrderLines`,
    );
    expect(final.body.fullyShipped).toBe(true);
    expect(
      final.body.salesOrderLines.map((line: { shippedQuantity: number }) => line.shippedQuantity),
    ).toEqual([4, 2]);
    expect(sandbox.store.salesShipments('SO-200010')).toHaveLength(2);
  });

  test('shipAndInvoice with nothing to ship or invoice gets 400', async () => {
    const order = addOrder('SO-200011');
    await prepareShipment(order, 0, 0);
    await prepareShipment(order, 1, 0);
    const post = await callApi(
      sandbox,
      token,
      'POST',
      `salesOrders(${String(order.id)})/Microsoft.NAV.shipAndInvoice`,
    );
    expect(post.status).toBe(400);
    expect(post.body.error.message).toMatch(/nothing to post/);
    expect(sandbox.store.salesShipments('SO-200011')).toHaveLength(0);
  });

  test('fully shipped and invoiced order is deleted like BC', async () => {
    const order = addOrder('SO-200012');
    const post = await callApi(
      sandbox,
      token,
      'POST',
      `salesOrders(${String(order.id)})/Microsoft.NAV.shipAndInvoice`,
    );
    expect(post.status).toBe(204);
    expect(sandbox.store.getSalesOrder('SO-200012')).toBeUndefined();
    expect(sandbox.store.salesShipments('SO-200012')).toHaveLength(1);
  });

  test('postAfterError fault posts, returns 400', async () => {
    const order = addOrder('SO-200013');
    await prepareShipment(order, 0, 4);
    await prepareShipment(order, 1, 0);
    sandbox.faults.postAfterErrorOnShipAndInvoice();
    const post = await callApi(
      sandbox,
      token,
      'POST',
      `salesOrders(${String(order.id)})/Microsoft.NAV.shipAndInvoice`,
    );
    expect(post.status).toBe(400);
    expect(post.body.error.code).toBe('Internal_DataNotFoundFilter');
    expect(post.body.error.message).toContain('SO-200013');
    const shipments = await callApi(
      sandbox,
      token,
      'GET',
      `salesShipments?$filter=orderNumber eq 'SO-200013'`,
    );
    expect(shipments.body.value).toHaveLength(1);
    const lines = await callApi(
      sandbox,
      token,
      'GET',
      `salesOrders(${String(order.id)})/salesOrderLines`,
    );
    expect(lines.body.value[0].shippedQuantity).toBe(4);
    // The fault applies once, so the next posting returns 204 again.
    await prepareShipment(order, 1, 2);
    expect(
      (
        await callApi(
          sandbox,
          token,
          'POST',
          `salesOrders(${String(order.id)})/Microsoft.NAV.shipAndInvoice`,
        )
      ).status,
    ).toBe(204);
  });

  test('shipAndInvoice on an unknown order gets 404', async () => {
    const post = await callApi(
      sandbox,
      token,
      'POST',
      'salesOrders(9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a)/Microsoft.NAV.shipAndInvoice',
    );
    expect(post.status).toBe(404);
  });
});
