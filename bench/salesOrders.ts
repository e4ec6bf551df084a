/**
 * Sales order benchmark: generates released BC sales orders in the BC sandbox, runs the real poll
 * and delivery functions through the local host until the JASCI sandbox contains every order, and
 * prints the BC requests used, throughput and peak RSS. Azurite, the Service Bus emulator and the
 * sandboxes run in a child process (`stack.ts`), so the peak RSS is the connector's own.
 *
 *   npm run bench -- [--orders N] [--json]
 */
import { parseArgs } from 'node:util';
import { loadSettings } from '../shared/config/load';
import type { Settings } from '../shared/config/schema';
import { runtime } from '../shared/runtime';
import { ensureTables, tableClientFor, TableName } from '../shared/state/tables';
import { WarehouseMap } from '../shared/state/warehouseMap';
import { startLocalHost, type HostLogEntry } from '../dev/host';
import { functionTable } from '../functions/all';
import { figuresOf, printSummary, problemsOf, type BenchRun } from './report';
import { StackProcess } from './stackProcess';
import type { StackEndpoints, StackReadyMessage, StackStatus } from './stackProtocol';

const usage = `Usage: npm run bench -- [--orders N] [--page-size N] [--json]

  --orders N      released BC sales orders to generate, 1 to 20 lines each (default 2000)
  --page-size N   BC_PAGE_SIZE: orders per BC page, 1 to 20000 (default 500)
  --json          also print the figures as one JSON object on the last line of stdout`;

/** BC location codes of the seeded sandbox, each mapped to its own JASCI warehouse. */
const warehouses: Record<string, string> = { MAIN: 'WH-MAIN', EAST: 'WH-EAST', WEST: 'WH-WEST' };
const generatorSeed = 20_250_601;
/** BC_PAGE_SIZE of the benchmark: the setting's default (see docs/benchmarks.md). */
const defaultPageSize = 500;
const statusIntervalMs = 200;
const progressIntervalMs = 5000;
/** A poll that starts after the run must not add BC requests, so the schedule is days away. */
const scheduleDelayDays = 10;

interface Options {
  orders: number;
  pageSize: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string', default: '2000' },
      'page-size': { type: 'string', default: String(defaultPageSize) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return undefined;
  }
  const orders = wholeNumber('--orders', values.orders, 1, Number.MAX_SAFE_INTEGER);
  // BC's maximum page size; loadSettings would reject a larger BC_PAGE_SIZE less clearly.
  const pageSize = wholeNumber('--page-size', values['page-size'], 1, 20_000);
  return { orders, pageSize, json: values.json };
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new Error(
      `Invalid ${option} '${text}': use a whole number from ${min} to ${max}.\n${usage}`,
    );
  }
  return value;
}

/**
 * Returns a six-field NCRONTAB schedule for midnight UTC `scheduleDelayDays` from now. A yearly
 * schedule would be simpler, but the local host arms one `setTimeout` for the next occurrence, and
 * Node fires a delay over 2^31-1 ms (about 24.8 days) after 1 ms instead.
 */
function distantSchedule(now: Date): string {
  const day = new Date(now.getTime() + scheduleDelayDays * 24 * 60 * 60 * 1000);
  return `0 0 0 ${day.getUTCDate()} ${day.getUTCMonth() + 1} *`;
}

function connectorEnv(endpoints: StackEndpoints, pageSize: number): Record<string, string> {
  return {
    ServiceBusConnection: endpoints.serviceBusConnection,
    QUEUE_TO_JASCI: 'to-jasci',
    QUEUE_TO_BC: 'to-bc',
    DataStorageConnection: endpoints.storageConnection,
    BC_API_BASE_URL: endpoints.bc.apiBaseUrl,
    BC_AUTHORITY_HOST: endpoints.bc.authorityHost,
    BC_SCOPE: endpoints.bc.scope,
    BC_TENANT_ID: endpoints.bc.tenantId,
    BC_ENVIRONMENT: endpoints.bc.environment,
    BC_COMPANY_ID: endpoints.bc.companyId,
    BC_AUTH_MODE: 'clientSecret',
    BC_CLIENT_ID: endpoints.bc.clientId,
    BC_CLIENT_SECRET: endpoints.bc.clientSecret,
    BC_PAGE_SIZE: String(pageSize),
    JASCI_BASE_URL: endpoints.jasci.baseUrl,
    JASCI_AUTH_MODE: 'apiKey',
    JASCI_API_KEY: endpoints.jasci.apiKey,
    JASCI_WEBHOOK_SIGNING_SECRET: 'bench-webhook-signing-secret',
    SALES_ORDER_POLL_SCHEDULE: distantSchedule(new Date()),
  };
}

async function seedWarehouseMap(settings: Settings): Promise<void> {
  await ensureTables(settings);
  const map = new WarehouseMap(tableClientFor(settings, TableName.WarehouseMap));
  for (const [location, warehouse] of Object.entries(warehouses)) {
    await map.set(location, warehouse);
  }
}

/** Counts the functions' log entries, prints errors and warnings (the first 10), and watches the poll. */
class HostLog {
  errors = 0;
  warnings = 0;
  pollFailure: string | undefined;
  pollPages: number | undefined;
  private printed = 0;

  readonly listener = (entry: HostLogEntry): void => {
    if (entry.functionName === 'salesOrdersPoll') {
      if (entry.message === 'Poll completed' && typeof entry.fields?.pages === 'number') {
        this.pollPages = entry.fields.pages;
      }
      if (entry.level === 'error' || entry.level === 'critical') {
        this.pollFailure ??= `${entry.message}${errorText(entry.fields)}`;
      }
    }
    if (entry.level === 'error' || entry.level === 'critical') this.errors += 1;
    else if (entry.level === 'warning') this.warnings += 1;
    else return;
    if (this.printed < 10) {
      this.printed += 1;
      console.error(
        `[${entry.functionName}] ${entry.level}: ${entry.message}${errorText(entry.fields)}`,
      );
    }
  };
}

/** Prints only the error, code and document key of a log entry: fields may carry payloads. */
function errorText(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const name of ['documentKey', 'code', 'error']) {
    const value = fields[name];
    if (value instanceof Error) parts.push(`${name}=${value.message}`);
    else if (typeof value === 'string' || typeof value === 'number') parts.push(`${name}=${value}`);
  }
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Asks the stack for its status every 200 ms until every BC order is complete in JASCI, the poll
 * failed, or the time-out passed. Returns the last status and, when incomplete, the reason.
 */
async function waitForJasci(
  stack: StackProcess,
  ready: StackReadyMessage,
  startedAtMs: number,
  log: HostLog,
): Promise<{ status: StackStatus; incompleteReason: string | undefined }> {
  const timeoutMs = Math.max(300_000, ready.bcOrders * 150);
  let nextProgressAt = startedAtMs + progressIntervalMs;
  for (;;) {
    const status = await stack.status();
    if (status.bcOrdersComplete >= ready.bcOrders) return { status, incompleteReason: undefined };
    const elapsedMs = Date.now() - startedAtMs;
    if (log.pollFailure !== undefined) {
      return { status, incompleteReason: `the poll failed: ${log.pollFailure}` };
    }
    if (elapsedMs > timeoutMs) {
      const queue = status.toJasciQueue;
      return {
        status,
        incompleteReason:
          `timed out after ${Math.round(timeoutMs / 1000)} s with ${queue.active} active, ${queue.scheduled} scheduled ` +
          `(retries) and ${queue.deadLetter} dead-lettered messages on to-jasci; see the errors above`,
      };
    }
    if (Date.now() >= nextProgressAt) {
      nextProgressAt += progressIntervalMs;
      console.error(
        `  ${status.bcOrdersComplete} of ${ready.bcOrders} orders in JASCI after ${(elapsedMs / 1000).toFixed(0)} s`,
      );
    }
    await sleep(statusIntervalMs);
  }
}

/**
 * Waits up to 10 s for the to-jasci queue to empty, so that the host does not stop while a
 * worker still writes the DocumentLedger row of an order that JASCI already has.
 */
async function waitForEmptyQueue(stack: StackProcess): Promise<StackStatus> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await stack.status();
    const queue = status.toJasciQueue;
    if ((queue.active === 0 && queue.scheduled === 0) || Date.now() > deadline) return status;
    await sleep(statusIntervalMs);
  }
}

async function runBenchmark(options: Options): Promise<BenchRun> {
  console.error(`Starting the stack and generating ${options.orders} sales orders...`);
  const { stack, ready } = await StackProcess.start({
    orders: options.orders,
    minLines: 1,
    maxLines: 20,
    seed: generatorSeed,
    warehouses,
  });
  try {
    const env = connectorEnv(ready.endpoints, options.pageSize);
    await seedWarehouseMap(loadSettings(env));
    const log = new HostLog();
    const host = await startLocalHost({ functions: functionTable, env, log: log.listener });
    try {
      const poll = host.timers.get('salesOrdersPoll');
      if (!poll) throw new Error('The function table has no salesOrdersPoll timer');
      console.error('Polling BC and delivering to JASCI...');
      const pollStartedAtMs = Date.now();
      const pollRun = poll.runNow().then(() => Date.now() - pollStartedAtMs);
      const { incompleteReason } = await waitForJasci(stack, ready, pollStartedAtMs, log);
      const pollDurationMs = await pollRun;
      // Read after the poll ended, so the counts include every page it read.
      const final =
        incompleteReason === undefined ? await waitForEmptyQueue(stack) : await stack.status();
      const clientRequestCount = (await runtime()).bc.requestCount;
      return {
        ready,
        final,
        pollStartedAtMs,
        pollDurationMs,
        pollPages: log.pollPages,
        clientRequestCount,
        incompleteReason,
        logErrors: log.errors,
        logWarnings: log.warnings,
        peakRssKiB: process.resourceUsage().maxRSS,
      };
    } finally {
      await host.stop();
    }
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return;
  const run = await runBenchmark(options);
  const figures = figuresOf(run);
  printSummary(run, figures);
  const problems = problemsOf(run, figures);
  for (const problem of problems) console.error(problem);
  if (options.json) console.log(JSON.stringify(figures));
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  })
  .finally(() => {
    // Every server is stopped by now; a client handle left open must not keep the process alive.
    setTimeout(() => {
      console.error('A handle was still open 5 s after the benchmark ended; exiting.');
      process.exit();
    }, 5000).unref();
  });
