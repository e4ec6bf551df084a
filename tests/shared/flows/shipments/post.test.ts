import { startBcSandbox, type BcSandbox, type Snapshot } from '../../../../dev/bc-sandbox';
import { BlobStore, containerClientFor } from '../../../../shared/archive/blobStore';
import { BcClient } from '../../../../shared/bc/client';
import { BcClientDefectError } from '../../../../shared/bc/errors';
import { BusinessError, TransientError } from '../../../../shared/errors';
import { shipmentEnvelope } from '../../../../shared/flows/shipments/intake';
import { postShipment, type PostShipmentDeps } from '../../../../shared/flows/shipments/post';
import type { JasciShipmentEvent } from '../../../../shared/jasci/wire';
import { applyClaimCheck } from '../../../../shared/messaging/claimCheck';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { DocumentLocks } from '../../../../shared/state/documentLocks';
import { EventLedger } from '../../../../shared/state/eventLedger';
import { TableName, ensureTables, tableClientFor } from '../../../../shared/state/tables';
import { testSettings, useAzurite } from '../../../helpers/azurite';
import { RecordingLogger, shipmentEvent } from './fixtures';

const azurite = useAzurite();
const bcIdentity = {
  tenantId: 'shipments-tenant',
  environment: 'sandbox',
  companyId: '5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
  clientId: 'shipments-client',
  clientSecret: 'shipments-secret',
};

let sandbox: BcSandbox;
let bc: BcClient;
/** A client that gives up after 1 s, while the sandbox keeps running the request. */
let impatientBc: BcClient;
let events: EventLedger;
let locks: DocumentLocks;

beforeAll(async () => {
  sandbox = await startBcSandbox(bcIdentity);
  const settings = testSettings({
    BC_API_BASE_URL: sandbox.apiBaseUrl,
    BC_AUTHORITY_HOST: sandbox.authorityHost,
    BC_TENANT_ID: bcIdentity.tenantId,
    BC_ENVIRONMENT: bcIdentity.environment,
    BC_COMPANY_ID: bcIdentity.companyId,
    BC_CLIENT_ID: bcIdentity.clientId,
    BC_CLIENT_SECRET: bcIdentity.clientSecret,
    BC_REQUEST_TIMEOUT_SECONDS: '10',
  });
  bc = BcClient.fromSettings(settings);
  impatientBc = BcClient.fromSettings({ ...settings, BC_REQUEST_TIMEOUT_SECONDS: 1 });
  const storage = azurite.settings;
  await ensureTables(storage);
  events = new EventLedger(tableClientFor(storage, TableName.EventLedger));
  locks = new DocumentLocks(tableClientFor(storage, TableName.DocumentLocks));

  for (const number of ['TENT-2P', 'STOVE-1', 'LANTERN', 'FUEL-CAN-1L']) {
    sandbox.store.addItem({ number, displayName: number, baseUnitOfMeasureCode: 'PCS' });
  }
  sandbox.store.addCustomer({ number: 'C-1000', displayName: 'Ridgeway Outdoor' });
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(() => {
  sandbox.faults.clear();
});

function ignore(): void {}

function deps(log = new RecordingLogger()): PostShipmentDeps {
  return { bc, events, mode: 'standard', log };
}

/** Adds an order whose lines get sequences 10000, 20000, ... in the order given. */
function addOrder(number: string, lines: { item: string; quantity: number; shipped?: number }[]) {
  return sandbox.store.addSalesOrder({
    number,
    customerNumber: 'C-1000',
    lines: lines.map((line) => ({
      lineObjectNumber: line.item,
      quantity: line.quantity,
      ...(line.shipped === undefined ? {} : { shippedQuantity: line.shipped }),
    })),
  });
}

function event(
  eventId: string,
  orderNumber: string,
  lines: { lineNumber: number; product: string; quantity: number }[],
  overrides: Partial<JasciShipmentEvent> = {},
): JasciShipmentEvent {
  return shipmentEvent({
    eventId,
    orderNumber,
    erpOrderNumber: orderNumber,
    shipmentNumber: `SH-${eventId}`,
    lines: lines.map((line) => ({ ...line, uom: 'PCS' })),
    ...overrides,
  });
}

/** A clock past BC's 10-minute request limit, when an unanswered action can no longer run. */
const afterRequestLimit = () => new Date(Date.now() + 11 * 60_000);

function envelopeFor(shipment: JasciShipmentEvent, attempt = 1): Envelope {
  const envelope = shipmentEnvelope(shipment, Buffer.from(JSON.stringify(shipment)), new Date());
  return { ...envelope, attempt };
}

function lineOf(orderNumber: string, sequence: number): Snapshot {
  const order = sandbox.store.getSalesOrder(orderNumber);
  const lines = (order?.salesOrderLines ?? []) as Snapshot[];
  const line = lines.find((candidate) => candidate.sequence === sequence);
  if (!line) throw new Error(`line ${sequence} of ${orderNumber} not in the sandbox`);
  return line;
}

async function rejection(promise: Promise<unknown>): Promise<BusinessError> {
  const error: unknown = await promise.then(
    () => new Error('expected postShipment to reject'),
    (caught: unknown) => caught,
  );
  if (error instanceof BusinessError) return error;
  throw error;
}

describe('postShipment', () => {
  it('posts a full shipment without invoicing', async () => {
    addOrder('SO-FULL', [
      { item: 'TENT-2P', quantity: 4 },
      { item: 'STOVE-1', quantity: 2 },
    ]);
    const shipment = event('evt-full', 'SO-FULL', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 4 },
      { lineNumber: 20000, product: 'STOVE-1', quantity: 2 },
    ]);

    await expect(postShipment(deps(), envelopeFor(shipment))).resolves.toBe('posted');

    const shipments = sandbox.store.salesShipments('SO-FULL');
    expect(shipments).toHaveLength(1);
    const posted = shipments[0]!;
    const postedLines = (posted.salesShipmentLines as Snapshot[]).map((line) => [
      line.sequence,
      line.quantity,
    ]);
    expect(postedLines).toEqual([
      [10000, 4],
      [20000, 2],
    ]);
    expect(lineOf('SO-FULL', 10000).shippedQuantity).toBe(4);
    expect(lineOf('SO-FULL', 10000).invoicedQuantity).toBe(0);
    expect(lineOf('SO-FULL', 20000).invoicedQuantity).toBe(0);
    const row = await events.get('evt-full');
    expect(row?.state).toBe('posted');
    expect(row?.bcDocumentNumber).toBe(posted.number);
    expect(row?.documentKey).toBe('SO-FULL');
    expect(row?.expected).toEqual({ '10000': 4, '20000': 2 });
  });

  it('posts a partial shipment, then the rest', async () => {
    addOrder('SO-PART', [
      { item: 'TENT-2P', quantity: 4 },
      { item: 'STOVE-1', quantity: 2 },
      { item: 'LANTERN', quantity: 2, shipped: 2 },
    ]);
    const first = event('evt-part-1', 'SO-PART', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    const second = event('evt-part-2', 'SO-PART', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
      { lineNumber: 20000, product: 'STOVE-1', quantity: 2 },
    ]);

    await expect(postShipment(deps(), envelopeFor(first))).resolves.toBe('posted');

    expect(lineOf('SO-PART', 10000).shippedQuantity).toBe(3);
    expect(lineOf('SO-PART', 20000).shippedQuantity).toBe(0);
    expect(sandbox.store.salesShipments('SO-PART')).toHaveLength(1);

    await expect(postShipment(deps(), envelopeFor(second))).resolves.toBe('posted');

    expect(lineOf('SO-PART', 10000).shippedQuantity).toBe(4);
    expect(lineOf('SO-PART', 20000).shippedQuantity).toBe(2);
    const numbers = sandbox.store.salesShipments('SO-PART').map((shipment) => shipment.number);
    expect(numbers).toHaveLength(2);
    expect((await events.get('evt-part-1'))?.bcDocumentNumber).toBe(numbers[0]);
    expect((await events.get('evt-part-2'))?.bcDocumentNumber).toBe(numbers[1]);
    // shipAndInvoice invoices whatever Qty. to Invoice holds, so every line must stay uninvoiced.
    for (const sequence of [10000, 20000, 30000]) {
      expect(lineOf('SO-PART', sequence).invoicedQuantity).toBe(0);
    }
  });

  it('sends nothing to BC for a redelivered posted event', async () => {
    addOrder('SO-REDELIVER', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-redeliver', 'SO-REDELIVER', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 2 },
    ]);
    await postShipment(deps(), envelopeFor(shipment));
    sandbox.resetStats();

    await expect(postShipment(deps(), envelopeFor(shipment, 2))).resolves.toBe('alreadyPosted');

    expect(sandbox.stats().requests).toBe(0);
    expect(sandbox.store.salesShipments('SO-REDELIVER')).toHaveLength(1);
    expect(lineOf('SO-REDELIVER', 10000).shippedQuantity).toBe(2);
  });

  it('reconciles a crash between post and ledger update', async () => {
    addOrder('SO-CRASH', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-crash', 'SO-CRASH', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    await postShipment(deps(), envelopeFor(shipment));
    const posted = await events.get('evt-crash');
    await events.update(posted!, { state: 'posting', bcDocumentNumber: undefined });
    const log = new RecordingLogger();

    await expect(postShipment(deps(log), envelopeFor(shipment, 2))).resolves.toBe('posted');

    expect(sandbox.store.salesShipments('SO-CRASH')).toHaveLength(1);
    expect(lineOf('SO-CRASH', 10000).shippedQuantity).toBe(3);
    const row = await events.get('evt-crash');
    expect(row?.state).toBe('posted');
    expect(row?.bcDocumentNumber).toBe(sandbox.store.salesShipments('SO-CRASH')[0]?.number);
    expect(log.messages('warn')).toContain('Shipment post was interrupted; reconciling with BC');
  });

  it('posts once when the action failed before posting', async () => {
    addOrder('SO-RETRY', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-retry', 'SO-RETRY', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    sandbox.faults.failNext({ status: 503, path: /shipAndInvoice/ });

    await expect(postShipment(deps(), envelopeFor(shipment))).rejects.toBeInstanceOf(
      TransientError,
    );
    expect((await events.get('evt-retry'))?.state).toBe('posting');
    expect(sandbox.store.salesShipments('SO-RETRY')).toHaveLength(0);

    // Within BC's 10-minute request limit the unanswered action may still run: no second post.
    const early: unknown = await postShipment(deps(), envelopeFor(shipment, 2)).catch(
      (caught: unknown) => caught,
    );
    expect(early).toBeInstanceOf(TransientError);
    expect((early as TransientError).code).toBe('UNAVAILABLE');
    expect((early as TransientError).retryAfterMs).toBeGreaterThan(9 * 60_000);
    expect(sandbox.store.salesShipments('SO-RETRY')).toHaveLength(0);

    await expect(
      postShipment({ ...deps(), now: afterRequestLimit }, envelopeFor(shipment, 3)),
    ).resolves.toBe('posted');

    expect(sandbox.store.salesShipments('SO-RETRY')).toHaveLength(1);
    expect(lineOf('SO-RETRY', 10000).shippedQuantity).toBe(3);
  });

  it('records a 400 after posting as posted once', async () => {
    addOrder('SO-400', [{ item: 'TENT-2P', quantity: 5 }]);
    const shipment = event('evt-400', 'SO-400', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 5 },
    ]);
    sandbox.faults.postAfterErrorOnShipAndInvoice();
    const log = new RecordingLogger();

    await expect(postShipment(deps(log), envelopeFor(shipment))).resolves.toBe('posted');

    const shipments = sandbox.store.salesShipments('SO-400');
    expect(shipments).toHaveLength(1);
    expect(lineOf('SO-400', 10000).shippedQuantity).toBe(5);
    const row = await events.get('evt-400');
    expect(row?.state).toBe('posted');
    expect(row?.failureCode).toBeUndefined();
    expect(row?.bcDocumentNumber).toBe(shipments[0]?.number);
    expect(log.messages('warn')).toContain(
      'BC rejected shipAndInvoice but posted the shipment; recorded as posted',
    );

    await expect(postShipment(deps(), envelopeFor(shipment, 2))).resolves.toBe('alreadyPosted');
    expect(sandbox.store.salesShipments('SO-400')).toHaveLength(1);
  });

  it('sends the line ETag unchanged in If-Match', async () => {
    addOrder('SO-ETAG', [{ item: 'TENT-2P', quantity: 4 }]);
    const etag = lineOf('SO-ETAG', 10000)['@odata.etag'];
    const patch = jest.spyOn(bc, 'patch');
    const shipment = event('evt-etag', 'SO-ETAG', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);

    try {
      await expect(postShipment(deps(), envelopeFor(shipment))).resolves.toBe('posted');
      expect(patch).toHaveBeenCalledTimes(1);
      const [path, body, ifMatch] = patch.mock.calls[0]!;
      expect(path).toMatch(/^salesOrders\([0-9a-f-]+\)\/salesOrderLines\([0-9a-f-]+\)$/);
      expect(body).toEqual({ shipQuantity: 3, invoiceQuantity: 0 });
      expect(ifMatch).toBe(etag);
      expect(ifMatch).toMatch(/^W\/".+"$/);
    } finally {
      patch.mockRestore();
    }
    const line = lineOf('SO-ETAG', 10000);
    expect(line.shippedQuantity).toBe(3);
    expect(Number(line.quantity) - Number(line.shippedQuantity)).toBe(1);
  });

  it('treats a rejected concurrency token as a defect', async () => {
    addOrder('SO-TOKEN', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-token', 'SO-TOKEN', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    sandbox.faults.failNext({
      status: 400,
      method: 'PATCH',
      path: /salesOrderLines/,
      code: 'BadRequest_InvalidToken',
      message: 'Could not validate the client concurrency token required by the service.',
    });

    const error: unknown = await postShipment(deps(), envelopeFor(shipment)).catch(
      (caught: unknown) => caught,
    );

    // Neither a business error about the order nor a transient error to retry on a schedule.
    expect(error).toBeInstanceOf(BcClientDefectError);
    expect(error).not.toBeInstanceOf(BusinessError);
    expect(error).not.toBeInstanceOf(TransientError);
    expect((await events.get('evt-token'))?.state).toBe('received');
    expect(sandbox.store.salesShipments('SO-TOKEN')).toHaveLength(0);
  });

  it('rejects a quantity above the open quantity', async () => {
    addOrder('SO-OVER', [{ item: 'TENT-2P', quantity: 4, shipped: 2 }]);
    const shipment = event('evt-over', 'SO-OVER', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    sandbox.resetStats();

    const error = await rejection(postShipment(deps(), envelopeFor(shipment)));

    expect(error.code).toBe('QUANTITY_ABOVE_OPEN');
    expect(error.message).toContain('shipped 3, but only 2 is open on line 10000');
    const patches = Object.keys(sandbox.stats().byPath).filter((key) => key.startsWith('PATCH'));
    expect(patches).toEqual([]);
    expect(sandbox.store.salesShipments('SO-OVER')).toHaveLength(0);
    const row = await events.get('evt-over');
    expect(row?.state).toBe('failed');
    expect(row?.failureCode).toBe('QUANTITY_ABOVE_OPEN');
  });

  it('posts a failed event replayed after correction', async () => {
    addOrder('SO-REPLAY', [{ item: 'TENT-2P', quantity: 2 }]);
    const shipment = event('evt-replay', 'SO-REPLAY', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    await rejection(postShipment(deps(), envelopeFor(shipment)));
    const lineId = String(lineOf('SO-REPLAY', 10000).id);
    sandbox.store.updateSalesOrderLine(lineId, { quantity: 3 });

    await expect(postShipment(deps(), envelopeFor(shipment, 1))).resolves.toBe('posted');

    expect(lineOf('SO-REPLAY', 10000).shippedQuantity).toBe(3);
    const row = await events.get('evt-replay');
    expect(row?.state).toBe('posted');
    expect(row?.failureCode).toBeUndefined();
  });

  it('rejects an unknown order naming it', async () => {
    const shipment = event('evt-no-order', 'SO-MISSING', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);

    const error = await rejection(postShipment(deps(), envelopeFor(shipment)));

    expect(error.code).toBe('UNKNOWN_ORDER');
    expect(error.message).toContain('sales order SO-MISSING is not an open order in BC');
    expect(error.message).toContain('no posted shipments');
    expect((await events.get('evt-no-order'))?.failureCode).toBe('UNKNOWN_ORDER');
  });

  it('rejects an unknown item naming both items', async () => {
    addOrder('SO-ITEM', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-item', 'SO-ITEM', [
      { lineNumber: 10000, product: 'STOVE-1', quantity: 1 },
    ]);

    const error = await rejection(postShipment(deps(), envelopeFor(shipment)));

    expect(error.code).toBe('UNKNOWN_ITEM');
    expect(error.message).toContain('is item TENT-2P, not item STOVE-1');
    expect(sandbox.store.salesShipments('SO-ITEM')).toHaveLength(0);
  });

  it('rejects lots in standard mode without calling BC', async () => {
    addOrder('SO-LOTS', [{ item: 'FUEL-CAN-1L', quantity: 4 }]);
    const shipment = event('evt-lots', 'SO-LOTS', [
      { lineNumber: 10000, product: 'FUEL-CAN-1L', quantity: 2 },
    ]);
    shipment.lines[0]!.lots = [{ lot: 'L-2026-11', quantity: 2 }];
    sandbox.resetStats();

    const error = await rejection(postShipment(deps(), envelopeFor(shipment)));

    expect(error.code).toBe('NEEDS_EXTENSION');
    expect(error.message).toContain('line 10000 (item FUEL-CAN-1L) carries lot numbers');
    expect(sandbox.stats().requests).toBe(0);
    expect((await events.get('evt-lots'))?.state).toBe('failed');
  });

  it('reports a half-moved posting as uncertain', async () => {
    addOrder('SO-MIXED', [
      { item: 'TENT-2P', quantity: 4 },
      { item: 'STOVE-1', quantity: 2 },
    ]);
    const shipment = event('evt-mixed', 'SO-MIXED', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 4 },
      { lineNumber: 20000, product: 'STOVE-1', quantity: 2 },
    ]);
    const row = await events.begin('evt-mixed', { kind: 'shipment.post', documentKey: 'SO-MIXED' });
    await events.update(row, { state: 'posting', expected: { '10000': 4, '20000': 2 } });
    // Someone posted line 10000 in BC meanwhile; line 20000 did not move.
    sandbox.store.updateSalesOrderLine(String(lineOf('SO-MIXED', 10000).id), {
      shippedQuantity: 4,
    });

    const error = await rejection(postShipment(deps(), envelopeFor(shipment, 2)));

    expect(error.code).toBe('POSTING_UNCERTAIN');
    expect(sandbox.store.salesShipments('SO-MIXED')).toHaveLength(0);
    expect((await events.get('evt-mixed'))?.state).toBe('failed');
  });

  it('reconciles an order that vanished after posting', async () => {
    addOrder('SO-GONE', [{ item: 'TENT-2P', quantity: 2 }]);
    const shipment = event('evt-gone', 'SO-GONE', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 2 },
    ]);
    await postShipment(deps(), envelopeFor(shipment));
    const posted = await events.get('evt-gone');
    await events.update(posted!, { state: 'posting', bcDocumentNumber: undefined });
    sandbox.store.deleteSalesOrder('SO-GONE');

    await expect(postShipment(deps(), envelopeFor(shipment, 2))).resolves.toBe('posted');

    expect(sandbox.store.salesShipments('SO-GONE')).toHaveLength(1);
    expect((await events.get('evt-gone'))?.state).toBe('posted');
  });

  it('reads a claim-checked payload from the store', async () => {
    addOrder('SO-BLOB', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-blob', 'SO-BLOB', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);
    const store = new BlobStore(containerClientFor(azurite.settings));
    const envelope = await applyClaimCheck(envelopeFor(shipment), store, 100);
    expect(envelope.payloadBlob).toEqual(expect.any(String));

    await expect(postShipment({ ...deps(), store }, envelope)).resolves.toBe('posted');

    expect(lineOf('SO-BLOB', 10000).shippedQuantity).toBe(1);
  });

  it('rejects a vanished order its shipments do not cover', async () => {
    sandbox.store.addSalesShipment({
      number: 'S-SHPT-OLD',
      orderNumber: 'SO-CLOSED',
      lines: [{ sequence: 10000, lineObjectNumber: 'TENT-2P', quantity: 1 }],
    });
    const shipment = event('evt-closed', 'SO-CLOSED', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);

    const error = await rejection(postShipment(deps(), envelopeFor(shipment)));

    expect(error.code).toBe('UNKNOWN_ORDER');
    expect(error.message).toContain('S-SHPT-OLD');
  });

  it('raises CONFLICT while the order is leased', async () => {
    addOrder('SO-LOCKED', [{ item: 'TENT-2P', quantity: 4 }]);
    const shipment = event('evt-locked', 'SO-LOCKED', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 2 },
    ]);
    await locks.acquire('salesOrder:SO-LOCKED', 'evt-other', 60_000);
    sandbox.resetStats();

    const error: unknown = await postShipment({ ...deps(), locks }, envelopeFor(shipment)).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('CONFLICT');
    expect((error as TransientError).message).toContain('BC order SO-LOCKED');
    expect(sandbox.stats().requests).toBe(0);
    expect((await events.get('evt-locked'))?.state).toBe('received');
    // The rejected event must leave the other owner's lease in place.
    await expect(locks.acquire('salesOrder:SO-LOCKED', 'evt-probe', 60_000)).resolves.toBe(false);

    await locks.release('salesOrder:SO-LOCKED', 'evt-other');
    await expect(postShipment({ ...deps(), locks }, envelopeFor(shipment, 2))).resolves.toBe(
      'posted',
    );
    expect(lineOf('SO-LOCKED', 10000).shippedQuantity).toBe(2);
  });

  it('posts concurrent events for one order one at a time', async () => {
    addOrder('SO-SPLIT', [
      { item: 'TENT-2P', quantity: 4 },
      { item: 'STOVE-1', quantity: 2 },
    ]);
    const east = event('evt-split-east', 'SO-SPLIT', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    const west = event('evt-split-west', 'SO-SPLIT', [
      { lineNumber: 20000, product: 'STOVE-1', quantity: 2 },
    ]);

    // Forces the interleaving that line ETags miss: east has PATCHed its lines and waits before
    // shipAndInvoice while west runs. Without the lease, west would read east's lines, PATCH its
    // own quantities over them, and east's shipAndInvoice would post west's goods.
    const settled = (promise: Promise<unknown>) => promise.then(ignore, ignore);
    let eastAtPost!: () => void;
    let westAtPost!: () => void;
    let releaseEast!: () => void;
    const eastReachedPost = new Promise<void>((resolve) => (eastAtPost = resolve));
    const westReachedPost = new Promise<void>((resolve) => (westAtPost = resolve));
    const eastMayPost = new Promise<void>((resolve) => (releaseEast = resolve));
    let eastRun: Promise<unknown> = Promise.resolve();
    let shipAndInvoiceCalls = 0;
    const gatedBc: PostShipmentDeps['bc'] = {
      get: (path, query) => bc.get(path, query),
      patch: (path, body, etag) => bc.patch(path, body, etag),
      listPages: (entitySet, query) => bc.listPages(entitySet, query),
      post: async (path, body) => {
        if (path.endsWith('Microsoft.NAV.shipAndInvoice')) {
          shipAndInvoiceCalls += 1;
          if (shipAndInvoiceCalls === 1) {
            eastAtPost();
            await eastMayPost;
          } else if (shipAndInvoiceCalls === 2) {
            westAtPost();
            await settled(eastRun);
          }
        }
        return bc.post(path, body);
      },
    };
    const concurrentDeps = { ...deps(), bc: gatedBc, locks };

    eastRun = postShipment(concurrentDeps, envelopeFor(east));
    await Promise.race([eastReachedPost, settled(eastRun)]);
    const westRun = postShipment(concurrentDeps, envelopeFor(west));
    await Promise.race([westReachedPost, settled(westRun)]);
    releaseEast();
    const [eastResult, westResult] = await Promise.allSettled([eastRun, westRun]);

    expect(eastResult).toEqual({ status: 'fulfilled', value: 'posted' });
    expect(westResult?.status).toBe('rejected');
    const westError: unknown = westResult?.status === 'rejected' ? westResult.reason : undefined;
    expect(westError).toBeInstanceOf(TransientError);
    expect((westError as TransientError).code).toBe('CONFLICT');
    expect(lineOf('SO-SPLIT', 10000).shippedQuantity).toBe(3);
    expect(lineOf('SO-SPLIT', 20000).shippedQuantity).toBe(0);

    await expect(postShipment(concurrentDeps, envelopeFor(west, 2))).resolves.toBe('posted');

    expect(lineOf('SO-SPLIT', 10000).shippedQuantity).toBe(3);
    expect(lineOf('SO-SPLIT', 20000).shippedQuantity).toBe(2);
    const shipments = sandbox.store.salesShipments('SO-SPLIT');
    expect(shipments).toHaveLength(2);
    const postedLines = shipments.map((shipment) =>
      (shipment.salesShipmentLines as Snapshot[])
        .filter((line) => Number(line.quantity) > 0)
        .map((line) => [line.sequence, line.quantity]),
    );
    expect(postedLines).toContainEqual([[10000, 3]]);
    expect(postedLines).toContainEqual([[20000, 2]]);
    const eastRow = await events.get('evt-split-east');
    const westRow = await events.get('evt-split-west');
    expect(eastRow?.state).toBe('posted');
    expect(westRow?.state).toBe('posted');
    expect(eastRow?.bcDocumentNumber).toBeDefined();
    expect(westRow?.bcDocumentNumber).toBeDefined();
    expect(eastRow?.bcDocumentNumber).not.toBe(westRow?.bcDocumentNumber);
    // Both postings released the lease.
    await expect(locks.acquire('salesOrder:SO-SPLIT', 'evt-probe', 60_000)).resolves.toBe(true);
  });
  it('retries a failed PATCH without trusting others posts', async () => {
    addOrder('SO-SAMELINE', [{ item: 'TENT-2P', quantity: 10 }]);
    const first = event('evt-line-a', 'SO-SAMELINE', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);
    const second = event('evt-line-b', 'SO-SAMELINE', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);
    sandbox.faults.failNext({ status: 503, method: 'PATCH', path: /salesOrderLines/ });

    const error: unknown = await postShipment({ ...deps(), locks }, envelopeFor(first)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((await events.get('evt-line-a'))?.state).toBe('received');

    // Another event for the same line posts before the first one's retry.
    await expect(postShipment({ ...deps(), locks }, envelopeFor(second))).resolves.toBe('posted');
    await expect(postShipment({ ...deps(), locks }, envelopeFor(first, 2))).resolves.toBe('posted');

    expect(lineOf('SO-SAMELINE', 10000).shippedQuantity).toBe(2);
    expect(sandbox.store.salesShipments('SO-SAMELINE')).toHaveLength(2);
  });

  it('keeps the lease when the post outcome is unknown', async () => {
    addOrder('SO-UNKNOWN', [{ item: 'TENT-2P', quantity: 10 }]);
    const first = event('evt-unknown-a', 'SO-UNKNOWN', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);
    const second = event('evt-unknown-b', 'SO-UNKNOWN', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 1 },
    ]);
    sandbox.faults.failNext({ status: 503, method: 'POST', path: /shipAndInvoice/ });

    const error: unknown = await postShipment({ ...deps(), locks }, envelopeFor(first)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((await events.get('evt-unknown-a'))?.state).toBe('posting');

    // Until the first event has reconciled, the other waits.
    const blocked: unknown = await postShipment({ ...deps(), locks }, envelopeFor(second)).catch(
      (caught: unknown) => caught,
    );
    expect(blocked).toBeInstanceOf(TransientError);
    expect((blocked as TransientError).code).toBe('CONFLICT');

    await expect(
      postShipment({ ...deps(), locks, now: afterRequestLimit }, envelopeFor(first, 2)),
    ).resolves.toBe('posted');
    await expect(postShipment({ ...deps(), locks }, envelopeFor(second, 2))).resolves.toBe(
      'posted',
    );
    expect(lineOf('SO-UNKNOWN', 10000).shippedQuantity).toBe(2);
    expect(sandbox.store.salesShipments('SO-UNKNOWN')).toHaveLength(2);
  });
  it('waits out an action that timed out but still posts', async () => {
    addOrder('SO-SLOW', [
      { item: 'TENT-2P', quantity: 10 },
      { item: 'STOVE-1', quantity: 10 },
    ]);
    const shipment = event('evt-slow', 'SO-SLOW', [
      { lineNumber: 10000, product: 'TENT-2P', quantity: 3 },
    ]);
    sandbox.faults.setDelay(2500, /shipAndInvoice/);

    const first: unknown = await postShipment(
      { ...deps(), bc: impatientBc, locks },
      envelopeFor(shipment),
    ).catch((caught: unknown) => caught);
    expect(first).toBeInstanceOf(TransientError);
    sandbox.faults.clear();

    // The retry comes before BC has finished the first request: it must not post again.
    const early: unknown = await postShipment({ ...deps(), locks }, envelopeFor(shipment, 2)).catch(
      (caught: unknown) => caught,
    );
    expect(early).toBeInstanceOf(TransientError);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    await expect(
      postShipment({ ...deps(), locks, now: afterRequestLimit }, envelopeFor(shipment, 3)),
    ).resolves.toBe('posted');

    expect(sandbox.store.salesShipments('SO-SLOW')).toHaveLength(1);
    expect(lineOf('SO-SLOW', 10000).shippedQuantity).toBe(3);
    expect(lineOf('SO-SLOW', 20000).shippedQuantity).toBe(0);
  });
});
