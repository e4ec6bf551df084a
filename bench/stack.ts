/**
 * Child process of the sales order benchmark: starts Azurite, the Service Bus emulator and the BC
 * and JASCI sandboxes on 127.0.0.1, generates the BC sales orders, and reports progress over IPC.
 * `salesOrders.ts` forks it. It is not meant to be started by hand.
 */
import { startAzurite, type AzuriteInstance } from '../dev/azurite';
import { startBcSandbox, type BcSandbox } from '../dev/bc-sandbox';
import { generateSalesOrders, seedFromFixtures } from '../dev/bc-sandbox/seed';
import { startJasciSandbox, type JasciSandbox } from '../dev/jasci-sandbox';
import { bcFixturesDir } from '../dev/paths';
import { startServiceBusEmulator, type ServiceBusEmulator } from '../dev/servicebus';
import type {
  BenchToStackMessage,
  StackEndpoints,
  StackStartMessage,
  StackStatus,
  StackToBenchMessage,
} from './stackProtocol';

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** Local-only credentials: every server that accepts them runs in this process. */
const credentials = {
  tenantId: 'bench-tenant',
  environment: 'production',
  companyId: '6b2f6c1e-3f1d-4a5e-9c4e-2d8a7b9c0d11',
  clientId: 'bench-client',
  clientSecret: 'bench-client-secret',
  jasciApiKey: 'bench-jasci-key',
};

interface RunningStack {
  azurite: AzuriteInstance;
  serviceBus: ServiceBusEmulator;
  bc: BcSandbox;
  jasci: JasciSandbox;
}

/** One JASCI order the connector must create, with the number of lines it must hold. */
interface ExpectedJasciOrder {
  bcNumber: string;
  lines: number;
}

/** Progress of the JASCI side: orders not seen yet, and when the complete ones first arrived. */
class Progress {
  private readonly pending = new Map<string, ExpectedJasciOrder>();
  /** BC order number to the number of its JASCI orders still pending. */
  private readonly pendingParts = new Map<string, number>();
  private lastReceivedAtMs: number | undefined;
  private completeJasciOrders = 0;

  constructor(expected: Map<string, ExpectedJasciOrder>) {
    for (const [orderNumber, order] of expected) {
      this.pending.set(orderNumber, order);
      this.pendingParts.set(order.bcNumber, (this.pendingParts.get(order.bcNumber) ?? 0) + 1);
    }
  }

  get bcOrdersIncomplete(): number {
    return this.pendingParts.size;
  }

  get jasciOrdersComplete(): number {
    return this.completeJasciOrders;
  }

  get lastReceivedAt(): number | undefined {
    return this.lastReceivedAtMs;
  }

  incompleteSample(size: number): string[] {
    return [...this.pendingParts.keys()].slice(0, size);
  }

  /** Moves every pending JASCI order that now contains all of its lines to complete. */
  refresh(jasci: JasciSandbox): void {
    for (const [orderNumber, expected] of this.pending) {
      const order = jasci.orders.get(orderNumber);
      if (order === undefined || order.lines.length !== expected.lines) continue;
      this.pending.delete(orderNumber);
      this.completeJasciOrders += 1;
      const firstVersion = jasci.orders.history(orderNumber)[0];
      const receivedAt = firstVersion ? Date.parse(firstVersion.receivedAt) : Date.now();
      this.lastReceivedAtMs = Math.max(this.lastReceivedAtMs ?? 0, receivedAt);
      const parts = (this.pendingParts.get(expected.bcNumber) ?? 1) - 1;
      if (parts === 0) this.pendingParts.delete(expected.bcNumber);
      else this.pendingParts.set(expected.bcNumber, parts);
    }
  }
}

function send(message: StackToBenchMessage): void {
  process.send?.(message);
}

async function startStack(): Promise<RunningStack> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    const azurite = await startAzurite();
    started.push(azurite);
    const serviceBus = await startServiceBusEmulator({
      queues: [{ name: 'to-jasci' }, { name: 'to-bc' }],
    });
    started.push(serviceBus);
    const bc = await startBcSandbox({
      tenantId: credentials.tenantId,
      environment: credentials.environment,
      companyId: credentials.companyId,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
    });
    started.push(bc);
    const jasci = await startJasciSandbox({ apiKey: credentials.jasciApiKey });
    return { azurite, serviceBus, bc, jasci };
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.stop()));
    throw error;
  }
}

/**
 * Seeds the BC master data, removes the example sales orders that come with it, so BC contains
 * only the generated ones, and returns the JASCI orders the connector must create for them.
 */
function generateOrders(
  stack: RunningStack,
  options: StackStartMessage,
): { bcOrders: number; bcLines: number; expected: Map<string, ExpectedJasciOrder> } {
  const seeded = seedFromFixtures(stack.bc, bcFixturesDir());
  for (const order of seeded.salesOrders) stack.bc.store.deleteSalesOrder(String(order.id));

  const locationCodes = new Map<string, string>();
  for (const row of stack.bc.store.rows('locations')) {
    locationCodes.set(String(row.fields.id).toLowerCase(), String(row.fields.code));
  }
  const orders = generateSalesOrders(stack.bc, {
    count: options.orders,
    minLines: options.minLines,
    maxLines: options.maxLines,
    locations: Object.keys(options.warehouses),
    seed: options.seed,
  });

  const expected = new Map<string, ExpectedJasciOrder>();
  let bcLines = 0;
  for (const order of orders) {
    const bcNumber = String(order.number);
    const linesByWarehouse = new Map<string, number>();
    const lines = Array.isArray(order.salesOrderLines) ? order.salesOrderLines : [];
    for (const line of lines as Record<string, unknown>[]) {
      bcLines += 1;
      if ((line.lineType ?? 'Item') !== 'Item') continue;
      if (Number(line.quantity) - Number(line.shippedQuantity ?? 0) <= 0) continue;
      const locationId = (
        typeof line.locationId === 'string' ? line.locationId : ZERO_GUID
      ).toLowerCase();
      const warehouse = options.warehouses[locationCodes.get(locationId) ?? ''];
      if (warehouse === undefined) {
        throw new Error(
          `Generated order ${bcNumber} has a line on location id ${locationId}, which the benchmark's warehouse map does not contain`,
        );
      }
      linesByWarehouse.set(warehouse, (linesByWarehouse.get(warehouse) ?? 0) + 1);
    }
    const split = linesByWarehouse.size > 1;
    for (const [warehouse, count] of linesByWarehouse) {
      expected.set(split ? `${bcNumber}-${warehouse}` : bcNumber, { bcNumber, lines: count });
    }
  }
  return { bcOrders: orders.length, bcLines, expected };
}

function endpointsOf(stack: RunningStack): StackEndpoints {
  return {
    serviceBusConnection: stack.serviceBus.connectionString,
    storageConnection: stack.azurite.connectionString,
    bc: {
      apiBaseUrl: stack.bc.apiBaseUrl,
      authorityHost: stack.bc.authorityHost,
      scope: stack.bc.scope,
      tenantId: credentials.tenantId,
      environment: credentials.environment,
      companyId: credentials.companyId,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
    },
    jasci: { baseUrl: stack.jasci.baseUrl, apiKey: credentials.jasciApiKey },
  };
}

function statusOf(stack: RunningStack, progress: Progress, bcOrders: number): StackStatus {
  progress.refresh(stack.jasci);
  const bc = stack.bc.stats();
  return {
    type: 'status',
    bcOrdersComplete: bcOrders - progress.bcOrdersIncomplete,
    jasciOrdersComplete: progress.jasciOrdersComplete,
    incompleteSample: progress.incompleteSample(5),
    lastReceivedAtMs: progress.lastReceivedAt,
    bcRequests: bc.requests,
    bcTokenRequests: bc.tokenRequests,
    bcRequestsByPath: bc.byPath,
    bcThrottled: bc.throttled,
    jasciRequests: stack.jasci.stats().requests,
    toJasciQueue: stack.serviceBus.queueDepth('to-jasci'),
    maxRssKiB: process.resourceUsage().maxRSS,
  };
}

async function stopStack(stack: RunningStack): Promise<void> {
  await stack.jasci.stop();
  await stack.bc.stop();
  await stack.serviceBus.stop();
  await stack.azurite.stop();
}

function main(): void {
  if (process.send === undefined) {
    console.error('bench/stack runs as a child of the sales order benchmark; run `npm run bench`.');
    process.exitCode = 2;
    return;
  }
  let stack: RunningStack | undefined;
  let progress: Progress | undefined;
  let bcOrders = 0;
  let stopping = false;

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (stack) await stopStack(stack);
    process.disconnect?.();
  };

  process.on('message', (message: BenchToStackMessage) => {
    void (async () => {
      try {
        if (message.type === 'start') {
          stack = await startStack();
          const generated = generateOrders(stack, message);
          progress = new Progress(generated.expected);
          bcOrders = generated.bcOrders;
          send({
            type: 'ready',
            endpoints: endpointsOf(stack),
            bcOrders: generated.bcOrders,
            bcLines: generated.bcLines,
            expectedJasciOrders: generated.expected.size,
          });
        } else if (message.type === 'status') {
          if (!stack || !progress) throw new Error('Status requested before the stack started');
          send(statusOf(stack, progress, bcOrders));
        } else {
          await stop();
        }
      } catch (error) {
        send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  // The benchmark died or closed the channel: stop the servers so this process exits too.
  process.on('disconnect', () => {
    void stop();
  });
}

main();
