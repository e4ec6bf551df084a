import type { BusinessError } from '../../../../shared/errors';
import type { ServiceBusReceivedMessage, ServiceBusSender } from '@azure/service-bus';
import { startBcSandbox, type BcSandbox } from '../../../../dev/bc-sandbox';
import { BlobStore, containerClientFor } from '../../../../shared/archive/blobStore';
import { BcClient } from '../../../../shared/bc/client';
import type { SalesOrderSnapshot } from '../../../../shared/bc/salesOrder';
import type { Settings } from '../../../../shared/config/schema';
import { pollSalesOrders, SALES_ORDER_CURSOR } from '../../../../shared/flows/salesOrders/poll';
import type { Logger } from '../../../../shared/logging';
import type { Envelope } from '../../../../shared/messaging/envelope';
import { QueueSender } from '../../../../shared/messaging/queues';
import { SyncCursors } from '../../../../shared/state/syncCursors';
import { ensureTables, tableClientFor, TableName } from '../../../../shared/state/tables';
import { testSettings, useAzurite } from '../../../helpers/azurite';
import { receiveAll, useServiceBus } from '../../../helpers/serviceBus';

const tenantId = 'poll-tenant';
const environment = 'production';
const companyId = '5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b';
const watermark = '2026-12-01T10:00:00.000Z';
const fiveOrders = ['SO-104321', 'SO-104322', 'SO-104323', 'SO-104324', 'SO-104325'];

interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function capturingLogger(entries: LogEntry[]): Logger {
  return {
    info: (message, fields) => entries.push({ level: 'info', message, fields }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields }),
    error: (message, fields) => entries.push({ level: 'error', message, fields }),
  };
}

function envelopeOf(message: ServiceBusReceivedMessage): Envelope {
  return message.body as Envelope;
}

// The tests run in order against one sandbox, cursor and queue: a failed run, the run that
// recovers it, and runs that re-read orders the queue has already seen.
describe('pollSalesOrders against the BC sandbox', () => {
  const azurite = useAzurite();
  const serviceBus = useServiceBus();
  let sandbox: BcSandbox;
  let settings: Settings;
  let cursors: SyncCursors;
  let sender: QueueSender;
  let serviceBusSender: ServiceBusSender;
  let logs: LogEntry[];

  const reported: { envelope: Envelope; error: BusinessError }[] = [];

  function poll() {
    return pollSalesOrders({
      bc: BcClient.fromSettings(settings),
      cursors,
      toJasci: sender,
      log: capturingLogger(logs),
      now: () => new Date(),
      reportInvalid: async (envelope, error) => reported.push({ envelope, error }),
    });
  }

  /** Receives every message on the queue; copies dropped by duplicate detection are not there. */
  async function drainQueue(): Promise<Envelope[]> {
    const waiting = serviceBus.emulator.queueDepth('to-jasci').active;
    const messages = await receiveAll(serviceBus.client, 'to-jasci', waiting, 3000);
    return messages.map(envelopeOf);
  }

  beforeAll(async () => {
    sandbox = await startBcSandbox({
      tenantId,
      environment,
      companyId,
      clientId: 'poll-client',
      clientSecret: 'poll-secret',
    });
    settings = testSettings({
      DataStorageConnection: azurite.instance.connectionString,
      ServiceBusConnection: serviceBus.connectionString,
      BC_API_BASE_URL: sandbox.apiBaseUrl,
      BC_AUTHORITY_HOST: sandbox.authorityHost,
      BC_TENANT_ID: tenantId,
      BC_ENVIRONMENT: environment,
      BC_COMPANY_ID: companyId,
      BC_CLIENT_ID: 'poll-client',
      BC_CLIENT_SECRET: 'poll-secret',
      BC_PAGE_SIZE: '2',
    });
    await ensureTables(settings);
    cursors = new SyncCursors(tableClientFor(settings, TableName.SyncCursors));
    const store = new BlobStore(containerClientFor(settings));
    serviceBusSender = serviceBus.client.createSender('to-jasci');
    sender = new QueueSender(serviceBusSender, store, settings.CLAIM_CHECK_THRESHOLD_BYTES);

    const { store: bc } = sandbox;
    bc.addLocation({ code: 'MAIN', displayName: 'Main Warehouse' });
    bc.addCustomer({ number: 'C-10420', displayName: 'Bluefin Outdoor Supply' });
    bc.addItem({ number: 'TENT-2P', displayName: 'Two-person dome tent' });
    const line = {
      lineType: 'Item',
      lineObjectNumber: 'TENT-2P',
      quantity: 4,
      locationCode: 'MAIN',
    };
    fiveOrders.forEach((number, index) => {
      bc.addSalesOrder({
        number,
        customerNumber: 'C-10420',
        lastModifiedDateTime: `2026-12-01T10:0${index + 1}:00Z`,
        lines: [line],
      });
    });
    bc.addSalesOrder({
      number: 'SO-OLD',
      customerNumber: 'C-10420',
      lastModifiedDateTime: '2026-12-01T09:00:00Z',
      lines: [line],
    });
    bc.addSalesOrder({
      number: 'SO-DRAFT',
      customerNumber: 'C-10420',
      status: 'Draft',
      lastModifiedDateTime: '2026-12-01T10:30:00Z',
      lines: [line],
    });
    bc.addSalesOrder({
      number: 'SO-REVIEW',
      customerNumber: 'C-10420',
      status: 'In Review',
      lastModifiedDateTime: '2026-12-01T10:31:00Z',
      lines: [line],
    });
    await cursors.set(SALES_ORDER_CURSOR, watermark);
  });

  afterAll(async () => {
    await serviceBusSender?.close();
    await sandbox?.stop();
  });

  beforeEach(() => {
    logs = [];
    sandbox.faults.clear();
    sandbox.resetStats();
  });

  it('keeps the cursor when a later page fails', async () => {
    sandbox.faults.failNext({ status: 500, path: /skiptoken/i, count: 1 });

    await expect(poll()).rejects.toThrow();

    expect((await cursors.get(SALES_ORDER_CURSOR))?.value).toBe(watermark);
    const failure = logs.find((entry) => entry.level === 'error');
    expect(failure?.message).toBe('Poll failed; the cursor was not moved');
    expect(failure?.fields?.pages).toBe(1);
    // The first page was enqueued before the failure; the next run sends it again.
    const firstPage = await drainQueue();
    expect(firstPage.map((e) => e.documentKey)).toEqual(['SO-104321', 'SO-104322']);
  });

  it('sends all five orders across pages and moves the cursor', async () => {
    const stats = await poll();

    expect(stats.detected).toBe(5);
    expect(stats.pages).toBe(3);
    expect(stats.invalid).toBe(0);
    expect(stats.cursor).toBe('2026-12-01T10:05:00.000Z');
    expect((await cursors.get(SALES_ORDER_CURSOR))?.value).toBe('2026-12-01T10:05:00.000Z');

    // The two orders of the failed run carry the same messageId, so the queue dropped them.
    const envelopes = await drainQueue();
    expect(envelopes.map((e) => e.documentKey).sort()).toEqual(fiveOrders.slice(2));
    expect(serviceBus.emulator.queueDepth('to-jasci').active).toBe(0);
    const requests = Object.keys(sandbox.stats().byPath).join(' ');
    expect(requests).not.toContain('$top');
  });

  it('logs the completed poll with its counts', async () => {
    await poll();

    const done = logs.find((entry) => entry.message === 'Poll completed');
    expect(done?.level).toBe('info');
    expect(done?.fields?.poller).toBe('salesOrders');
    expect(done?.fields).toHaveProperty('detected');
    expect(done?.fields).toHaveProperty('pages');
    expect(typeof done?.fields?.durationMs).toBe('number');
    // The overlap window reads the newest order again; its messageId is unchanged, so the queue
    // drops the copy.
    expect(done?.fields?.detected).toBe(1);
    expect(serviceBus.emulator.queueDepth('to-jasci').active).toBe(0);
  });

  it('never enqueues draft or in-review orders', async () => {
    await cursors.set(SALES_ORDER_CURSOR, watermark, (await cursors.get(SALES_ORDER_CURSOR))?.etag);

    await poll();

    const received = await drainQueue();
    const keys = received.map((e) => e.documentKey);
    expect(keys).not.toContain('SO-DRAFT');
    expect(keys).not.toContain('SO-REVIEW');
    expect(keys).not.toContain('SO-OLD');
  });

  it('enqueues a snapshot with versions and location codes', async () => {
    sandbox.store.touch('SO-104323');

    const stats = await poll();

    expect(stats.detected).toBeGreaterThanOrEqual(1);
    const envelopes = await drainQueue();
    const touched = envelopes.find((e) => e.documentKey === 'SO-104323');
    expect(touched?.kind).toBe('salesOrder.upsert');
    expect(touched?.attempt).toBe(1);
    const snapshot = touched?.payload as SalesOrderSnapshot;
    expect(touched?.version).toBe(snapshot.lastModifiedDateTime);
    expect(snapshot.number).toBe('SO-104323');
    expect(snapshot.lines[0]?.locationCode).toBe('MAIN');
    expect(snapshot.lines[0]?.quantity).toBe(4);
  });

  it('logs an invalid order and leaves it out', async () => {
    const order = sandbox.store.touch('SO-104324');
    const lineId = String(sandbox.store.linesOf(String(order.id))[0]?.fields.id);
    sandbox.store.updateRow('salesOrderLines', lineId, { quantity: 'four' });

    const stats = await poll();

    expect(stats.invalid).toBe(1);
    const error = logs.find((entry) => entry.level === 'error');
    expect(error?.message).toBe('Sales order failed validation and was not enqueued');
    expect(error?.fields?.documentKey).toBe('SO-104324');
    expect(error?.fields?.problems).toEqual(['salesOrderLines.0.quantity: must be a number']);
    const envelopes = await drainQueue();
    expect(envelopes.map((e) => e.documentKey)).not.toContain('SO-104324');
  });

  it('reports an invalid order with the order as read', () => {
    const report = reported.find((r) => r.envelope.documentKey === 'SO-104324');
    expect(report?.error.code).toBe('INVALID_PAYLOAD');
    expect(report?.error.message).toContain('salesOrderLines.0.quantity: must be a number');
    expect((report?.envelope.payload as { number?: string }).number).toBe('SO-104324');
    expect(report?.envelope.kind).toBe('salesOrder.upsert');
  });
});
