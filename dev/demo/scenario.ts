import { loadSettings } from '../../shared/config/load';
import { BlobStore, containerClientFor } from '../../shared/archive/blobStore';
import { Failures, type FailureRecord } from '../../shared/state/failures';
import { ensureTables, tableClientFor, TableName } from '../../shared/state/tables';
import { WarehouseMap } from '../../shared/state/warehouseMap';
import type { JasciOutboundOrder } from '../../shared/jasci/wire';
import { seedFromFixtures, generateSalesOrders } from '../bc-sandbox/seed';
import type { BcSandbox } from '../bc-sandbox';
import type { HostLogEntry } from '../host';
import { startLocalStack, type LocalStack } from '../stack';
import { summarise, type DemoSummary } from './summary';

/** Order numbers of the scenario's special cases. */
export const demoOrders = {
  split: 'SO-DEMO-SPLIT',
  partial: 'SO-DEMO-PARTIAL',
  unmapped: 'SO-DEMO-UNMAPPED',
  draft: 'SO-DEMO-DRAFT',
} as const;

export const demoWarehouses: Readonly<Record<string, string>> = {
  MAIN: 'WH-MAIN',
  EAST: 'WH-EAST',
  WEST: 'WH-WEST',
};

export interface DemoOptions {
  /** Generated released orders on top of the scenario's special cases. */
  generatedOrders?: number;
  /** Give up waiting for the scenario to settle after this long. */
  timeoutMs?: number;
  /** Length of the JASCI 503 storm at the start, in milliseconds. */
  stormMs?: number;
  progress?: (line: string) => void;
  /** Receives every log entry of the connector's functions as it is written. */
  onLog?: (entry: HostLogEntry) => void;
}

function seedScenario(bc: BcSandbox, generatedOrders: number): string[] {
  seedFromFixtures(bc);
  bc.store.addLocation({ code: 'SOUTH', displayName: 'South Overflow (not mapped to JASCI)' });
  const items = bc.store.rows('items').map((row) => String(row.fields.number));
  const item = (index: number) => items[index % items.length] as string;
  const customerNumber = String(bc.store.rows('customers')[0]?.fields.number);
  bc.store.addSalesOrder({
    number: demoOrders.split,
    customerNumber,
    lines: [
      { lineObjectNumber: item(0), quantity: 4, locationCode: 'EAST' },
      { lineObjectNumber: item(1), quantity: 6, locationCode: 'WEST' },
    ],
  });
  bc.store.addSalesOrder({
    number: demoOrders.partial,
    customerNumber,
    lines: [{ lineObjectNumber: item(2), quantity: 10, locationCode: 'EAST' }],
  });
  bc.store.addSalesOrder({
    number: demoOrders.unmapped,
    customerNumber,
    lines: [{ lineObjectNumber: item(0), quantity: 2, locationCode: 'SOUTH' }],
  });
  bc.store.addSalesOrder({
    number: demoOrders.draft,
    customerNumber,
    status: 'Draft',
    lines: [{ lineObjectNumber: item(1), quantity: 1, locationCode: 'MAIN' }],
  });
  generateSalesOrders(bc, {
    count: generatedOrders,
    minLines: 1,
    maxLines: 6,
    locations: Object.keys(demoWarehouses),
    seed: 20261204,
  });
  return bc.store
    .listSalesOrders()
    .filter((order) => order.status === 'Open' && order.number !== demoOrders.unmapped)
    .map((order) => String(order.number));
}

/** True when every item line of the BC order has shipped its whole quantity. */
function fullyShipped(bc: BcSandbox, orderNumber: string): boolean {
  const order = bc.store.getSalesOrder(orderNumber);
  if (!order) return bc.store.salesShipments(orderNumber).length > 0;
  const lines = bc.store.linesOf(String(order.id)).map((row) => row.fields);
  return lines
    .filter((line) => line.lineType === 'Item')
    .every((line) => Number(line.shippedQuantity) >= Number(line.quantity));
}

async function waitUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  describe();
  return false;
}

/**
 * Runs the demo scenario on the local stack and returns the per-flow summary: released orders go
 * to JASCI (one split across two warehouses, one at an unmapped location), JASCI returns 503 for
 * a while so deliveries are retried on schedule, and the warehouse simulator ships everything back,
 * one order in two partial shipments.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const progress = options.progress ?? (() => undefined);
  const logs: HostLogEntry[] = [];
  let expectedOrders: string[] = [];
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      pollSchedule: '*/2 * * * * *',
      retryDelaysSeconds: [2, 4, 8, 16],
      warehouse: {
        autoShip: true,
        shipDelayMs: 300,
        partial: (order: JasciOutboundOrder) => order.erpOrderNumber === demoOrders.partial,
      },
      env: { DEFAULT_WAREHOUSE_CODE: demoWarehouses.MAIN as string },
      log: (entry) => {
        logs.push(entry);
        options.onLog?.(entry);
      },
      processLog: { info: () => undefined, warn: () => undefined, error: () => undefined },
      seed: async ({ bc, jasci, env }) => {
        expectedOrders = seedScenario(bc, options.generatedOrders ?? 12);
        const settings = loadSettings(env);
        await ensureTables(settings);
        const map = new WarehouseMap(tableClientFor(settings, TableName.WarehouseMap));
        for (const [location, warehouse] of Object.entries(demoWarehouses)) {
          await map.set(location, warehouse);
        }
        jasci.faults.failFor(options.stormMs ?? 5000, 503);
        progress(
          `Seeded ${expectedOrders.length + 2} BC sales orders; JASCI returns 503 for ${(options.stormMs ?? 5000) / 1000} s`,
        );
      },
    });
    const running = stack;
    const settings = loadSettings(running.env);
    const failures = new Failures(tableClientFor(settings, TableName.Failures));
    const unmappedRecorded = async () =>
      (await failures.list()).some((f) => f.documentKey === demoOrders.unmapped);

    progress(`Connector running at ${running.host.baseUrl}; waiting for the scenario to settle`);
    const settled = await waitUntil(
      async () =>
        expectedOrders.every((number) => fullyShipped(running.bc, number)) &&
        (await unmappedRecorded()),
      options.timeoutMs ?? 180_000,
      () => {
        const open = expectedOrders.filter((number) => !fullyShipped(running.bc, number));
        progress(`Timed out; orders not fully shipped in BC: ${open.join(', ') || 'none'}`);
        return '';
      },
    );
    // Let in-flight deliveries and their log lines finish before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const records: FailureRecord[] = await failures.list();
    const archive = new BlobStore(containerClientFor(settings));
    return await summarise({
      settled,
      logs,
      failures: records,
      archive,
      bc: running.bc,
      jasci: running.jasci,
      expectedOrders,
      fullyShipped: (number) => fullyShipped(running.bc, number),
    });
  } finally {
    await stack?.stop();
  }
}
