import { startJasciSandbox, type JasciSandbox } from '../../../../dev/jasci-sandbox';
import { BlobStore, containerClientFor } from '../../../../shared/archive/blobStore';
import type { SalesOrderLineSnapshot, SalesOrderSnapshot } from '../../../../shared/bc/salesOrder';
import { BusinessError, TransientError } from '../../../../shared/errors';
import {
  deliverSalesOrder,
  SALES_ORDER_FLOW,
  type DeliverSalesOrderDeps,
} from '../../../../shared/flows/salesOrders/deliver';
import { JasciClient } from '../../../../shared/jasci/client';
import { silentLogger } from '../../../../shared/logging';
import { applyClaimCheck } from '../../../../shared/messaging/claimCheck';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { DocumentLocks } from '../../../../shared/state/documentLocks';
import { DocumentLedger } from '../../../../shared/state/documentLedger';
import { ensureTables, tableClientFor, TableName } from '../../../../shared/state/tables';
import { WarehouseMap } from '../../../../shared/state/warehouseMap';
import { useAzurite } from '../../../helpers/azurite';

const apiKey = 'deliver-test-key';

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

function snapshot(
  number: string,
  lines: SalesOrderLineSnapshot[],
  overrides: Partial<SalesOrderSnapshot> = {},
): SalesOrderSnapshot {
  return {
    id: `id-${number}`,
    number,
    status: 'Open',
    lastModifiedDateTime: '2026-12-01T10:00:00.000Z',
    customerNumber: 'C-10420',
    shipTo: {
      name: 'Bluefin Outdoor Supply',
      addressLine1: 'Unit 4, 880 Quarry Road',
      city: 'Portmere',
      postCode: '97003',
      country: 'US',
    },
    lines,
    ...overrides,
  };
}

function envelopeFor(order: SalesOrderSnapshot): Envelope {
  return {
    kind: 'salesOrder.upsert',
    documentKey: order.number,
    version: order.lastModifiedDateTime,
    attempt: 1,
    firstEnqueuedAt: '2026-12-01T10:00:01.000Z',
    correlationId: `test-${order.number}`,
    payload: order,
  };
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('deliverSalesOrder against the JASCI sandbox', () => {
  const azurite = useAzurite();
  let jasci: JasciSandbox;
  let deps: DeliverSalesOrderDeps;
  let ledger: DocumentLedger;
  let warehouseMap: WarehouseMap;
  let store: BlobStore;

  beforeAll(async () => {
    jasci = await startJasciSandbox({ apiKey });
    const settings = azurite.settings;
    await ensureTables(settings);
    ledger = new DocumentLedger(tableClientFor(settings, TableName.DocumentLedger));
    warehouseMap = new WarehouseMap(tableClientFor(settings, TableName.WarehouseMap));
    store = new BlobStore(containerClientFor(settings));
    await warehouseMap.set('MAIN', 'WH-MAIN');
    await warehouseMap.set('EAST', 'WH-EAST');
    deps = {
      jasci: new JasciClient({
        baseUrl: jasci.baseUrl,
        auth: { mode: 'apiKey', apiKey },
        timeoutMs: 5000,
      }),
      ledger,
      warehouseMap,
      store,
      log: silentLogger,
      now: () => new Date('2026-12-01T10:00:05.000Z'),
      locks: new DocumentLocks(tableClientFor(settings, TableName.DocumentLocks)),
    };
  });

  afterAll(async () => {
    await jasci?.stop();
  });

  it('sends a new order and records it', async () => {
    const order = snapshot('SO-2001', [line()]);

    const outcome = await deliverSalesOrder(deps, envelopeFor(order));

    expect(outcome).toBe('delivered');
    const sent = jasci.orders.get('SO-2001');
    expect(sent?.warehouseCode).toBe('WH-MAIN');
    expect(sent?.lines).toEqual([
      {
        lineNumber: 10000,
        product: 'TENT-2P',
        quantity: 4,
        uom: 'PCS',
        description: 'Two-person dome tent',
      },
    ]);
    const row = await ledger.get(SALES_ORDER_FLOW, 'SO-2001');
    expect(row?.version).toBe('2026-12-01T10:00:00.000Z');
    expect(row?.jasciKeys).toEqual(['SO-2001']);
    expect(row?.status).toBe('sent');
    expect(row?.payloadHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('skips a redelivered message', async () => {
    const order = snapshot('SO-2002', [line()]);
    await deliverSalesOrder(deps, envelopeFor(order));

    const outcome = await deliverSalesOrder(deps, envelopeFor(order));

    expect(outcome).toBe('unchanged');
    expect(jasci.orders.history('SO-2002')).toHaveLength(1);
  });

  it('drops a version older than the one sent', async () => {
    const newer = snapshot('SO-2003', [line()], {
      lastModifiedDateTime: '2026-12-01T11:00:00.000Z',
    });
    const older = snapshot('SO-2003', [line({ quantity: 9 })], {
      lastModifiedDateTime: '2026-12-01T10:00:00.000Z',
    });
    await deliverSalesOrder(deps, envelopeFor(newer));

    const outcome = await deliverSalesOrder(deps, envelopeFor(older));

    expect(outcome).toBe('stale');
    expect(jasci.orders.history('SO-2003')).toHaveLength(1);
    expect(jasci.orders.get('SO-2003')?.lines[0]?.quantity).toBe(4);
  });

  it('skips a version changed only by shipping', async () => {
    await deliverSalesOrder(deps, envelopeFor(snapshot('SO-2004', [line({ quantity: 10 })])));
    const partlyShipped = snapshot('SO-2004', [line({ quantity: 10, shippedQuantity: 6 })], {
      lastModifiedDateTime: '2026-12-01T12:00:00.000Z',
    });

    const outcome = await deliverSalesOrder(deps, envelopeFor(partlyShipped));

    expect(outcome).toBe('unchanged');
    expect(jasci.orders.history('SO-2004')).toHaveLength(1);
    expect(jasci.orders.get('SO-2004')?.lines[0]?.quantity).toBe(10);
  });

  it('sends a newer version with a changed quantity', async () => {
    await deliverSalesOrder(deps, envelopeFor(snapshot('SO-2016', [line({ quantity: 10 })])));
    const raised = snapshot('SO-2016', [line({ quantity: 12 })], {
      lastModifiedDateTime: '2026-12-01T12:00:00.000Z',
    });

    const outcome = await deliverSalesOrder(deps, envelopeFor(raised));

    expect(outcome).toBe('delivered');
    expect(jasci.orders.history('SO-2016')).toHaveLength(2);
    expect(jasci.orders.get('SO-2016')?.lines[0]?.quantity).toBe(12);
    expect((await ledger.get(SALES_ORDER_FLOW, 'SO-2016'))?.version).toBe(
      '2026-12-01T12:00:00.000Z',
    );
  });

  it('splits an order across two warehouses', async () => {
    const order = snapshot('SO-2005', [
      line({ sequence: 10000, locationCode: 'MAIN' }),
      line({ sequence: 20000, lineObjectNumber: 'STOVE-1', locationCode: 'EAST' }),
    ]);

    await deliverSalesOrder(deps, envelopeFor(order));

    expect(jasci.orders.get('SO-2005-WH-MAIN')?.erpOrderNumber).toBe('SO-2005');
    expect(jasci.orders.get('SO-2005-WH-EAST')?.lines[0]?.product).toBe('STOVE-1');
    expect(jasci.orders.get('SO-2005')).toBeUndefined();
    expect((await ledger.get(SALES_ORDER_FLOW, 'SO-2005'))?.jasciKeys).toEqual([
      'SO-2005-WH-MAIN',
      'SO-2005-WH-EAST',
    ]);
  });

  it('fails an unmapped location until the map is fixed', async () => {
    const order = snapshot('SO-2006', [line({ locationCode: 'WEST' })]);

    const error = await errorOf(deliverSalesOrder(deps, envelopeFor(order)));

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('UNMAPPED_LOCATION');
    expect(jasci.orders.get('SO-2006')).toBeUndefined();
    expect(await ledger.get(SALES_ORDER_FLOW, 'SO-2006')).toBeUndefined();

    // A replay after the operator adds the map row succeeds with the same message.
    await warehouseMap.set('WEST', 'WH-WEST');
    expect(await deliverSalesOrder(deps, envelopeFor(order))).toBe('delivered');
    expect(jasci.orders.get('SO-2006')?.warehouseCode).toBe('WH-WEST');
  });

  it('applies the default warehouse to a blank location', async () => {
    const order = snapshot('SO-2007', [line({ locationId: undefined, locationCode: undefined })]);

    const outcome = await deliverSalesOrder(
      { ...deps, defaultWarehouseCode: 'WH-DEFAULT' },
      envelopeFor(order),
    );

    expect(outcome).toBe('delivered');
    expect(jasci.orders.get('SO-2007')?.warehouseCode).toBe('WH-DEFAULT');
  });

  it('reads a claim-checked payload from Blob Storage', async () => {
    const order = snapshot('SO-2008', [line()]);
    const checked = await applyClaimCheck(envelopeFor(order), store, 10);

    const outcome = await deliverSalesOrder(deps, checked);

    expect(checked.payload).toBeUndefined();
    expect(checked.payloadBlob).toBeDefined();
    expect(outcome).toBe('delivered');
    expect(jasci.orders.get('SO-2008')?.customerCode).toBe('C-10420');
  });

  it('sends nothing for an order that is not released', async () => {
    const draft = snapshot('SO-2009', [line()], { status: 'Draft' });

    const outcome = await deliverSalesOrder(deps, envelopeFor(draft));

    expect(outcome).toBe('unchanged');
    expect(jasci.orders.get('SO-2009')).toBeUndefined();
  });

  it('passes a JASCI outage on as a transient error', async () => {
    const order = snapshot('SO-2010', [line()]);
    jasci.faults.failNext(1, 503, 30);

    const error = await errorOf(deliverSalesOrder(deps, envelopeFor(order)));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(30_000);
    expect(await ledger.get(SALES_ORDER_FLOW, 'SO-2010')).toBeUndefined();
    expect(await deliverSalesOrder(deps, envelopeFor(order))).toBe('delivered');
  });

  it('rejects an invalid snapshot as a business error', async () => {
    const envelope: Envelope = {
      ...envelopeFor(snapshot('SO-2011', [line()])),
      payload: { number: 'SO-2011', lines: 'none' },
    };

    const error = await errorOf(deliverSalesOrder(deps, envelope));

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('INVALID_PAYLOAD');
    expect((error as BusinessError).message).toContain('lines');
  });

  it.each([
    ['line sequence 0', [line({ sequence: 0 })], 'lines.0.sequence: must be at least 1'],
    [
      'two lines with one sequence',
      [line(), line({ id: 'second-line', lineObjectNumber: 'STOVE-1' })],
      'lines: lines 0 and 1 both have sequence 10000',
    ],
    [
      'quantity 1e308',
      [line({ quantity: 1e308 })],
      'lines.0.quantity: must be at most 999999999999',
    ],
    [
      'shipped more than ordered',
      [line({ quantity: 4, shippedQuantity: 6 })],
      "lines.0.shippedQuantity: 6 is more than the line's quantity 4",
    ],
  ])('rejects %s without calling JASCI', async (_name, lines, problem) => {
    const upsert = jest.spyOn(deps.jasci, 'upsertOutboundOrder');
    const order = snapshot('SO-2013', lines);

    const error = await errorOf(deliverSalesOrder(deps, envelopeFor(order)));

    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('INVALID_PAYLOAD');
    expect((error as BusinessError).message).toContain(problem);
    expect(upsert).not.toHaveBeenCalled();
    expect(jasci.orders.get('SO-2013')).toBeUndefined();
    upsert.mockRestore();
  });

  it('rejects a payload of another order', async () => {
    const envelope: Envelope = {
      ...envelopeFor(snapshot('SO-2012', [line()])),
      payload: snapshot('SO-9999', [line()]),
    };

    const error = await errorOf(deliverSalesOrder(deps, envelope));

    expect((error as BusinessError).code).toBe('INVALID_PAYLOAD');
    expect((error as BusinessError).message).toContain('SO-9999');
    expect(jasci.orders.get('SO-9999')).toBeUndefined();
  });
  it('retries while another version is being sent', async () => {
    const locks = new DocumentLocks(tableClientFor(azurite.settings, TableName.DocumentLocks));
    await locks.acquire('salesOrderDelivery:SO-2030', 'other-delivery', 60_000);
    const order = snapshot('SO-2030', [line()]);

    const error = await errorOf(deliverSalesOrder({ ...deps, locks }, envelopeFor(order)));

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('CONFLICT');
    expect(jasci.orders.get('SO-2030')).toBeUndefined();

    await locks.release('salesOrderDelivery:SO-2030', 'other-delivery');
    await expect(deliverSalesOrder({ ...deps, locks }, envelopeFor(order))).resolves.toBe(
      'delivered',
    );
    // The delivery released its own lease.
    await expect(locks.acquire('salesOrderDelivery:SO-2030', 'probe', 60_000)).resolves.toBe(true);
  });
});
