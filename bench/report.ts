import type { StackReadyMessage, StackStatus } from './stackProtocol';

/** At most this many BC requests per 1,000 orders: one request per page, never per order or line. */
export const maxBcRequestsPer1000Orders = 10;
/** Peak RSS of the connector process must stay under this, in MB (MiB). */
export const maxPeakRssMb = 300;

/** The figures `--json` prints; every value is a number. */
export interface BenchFigures {
  orders: number;
  bcRequests: number;
  bcRequestsPer1000Orders: number;
  ordersPerSecond: number;
  peakRssMb: number;
}

export interface BenchRun {
  ready: StackReadyMessage;
  /** Stack status after the run, with the final request counts. */
  final: StackStatus;
  /** Epoch ms at which the poller was triggered. */
  pollStartedAtMs: number;
  /** Milliseconds the poll function ran. */
  pollDurationMs: number;
  pollPages: number | undefined;
  /** Requests the connector's BcClient counted, when its runtime was available. */
  clientRequestCount: number | undefined;
  /** Reason the run stopped before every order reached JASCI, or undefined when all arrived. */
  incompleteReason: string | undefined;
  logErrors: number;
  logWarnings: number;
  /** `process.resourceUsage().maxRSS` of this process, in KiB. */
  peakRssKiB: number;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Seconds from the poll start to the first arrival of the last JASCI order, or 0 when none arrived. */
export function secondsToLastOrder(run: BenchRun): number {
  const last = run.final.lastReceivedAtMs;
  return last === undefined ? 0 : Math.max(0, last - run.pollStartedAtMs) / 1000;
}

/**
 * Computes the figures. BC requests are those the BC sandbox received: API requests plus token
 * requests. Orders per second counts only BC orders that reached JASCI in full.
 */
export function figuresOf(run: BenchRun): BenchFigures {
  const orders = run.ready.bcOrders;
  const bcRequests = run.final.bcRequests + run.final.bcTokenRequests;
  const seconds = secondsToLastOrder(run);
  return {
    orders,
    bcRequests,
    bcRequestsPer1000Orders: orders === 0 ? 0 : round((bcRequests * 1000) / orders, 2),
    ordersPerSecond: seconds === 0 ? 0 : round(run.final.bcOrdersComplete / seconds, 1),
    peakRssMb: round(run.peakRssKiB / 1024, 1),
  };
}

/** Returns one line per missed target or incomplete delivery, or none when the run passed. */
export function problemsOf(run: BenchRun, figures: BenchFigures): string[] {
  const problems: string[] = [];
  if (run.incompleteReason !== undefined) {
    const missing = run.ready.bcOrders - run.final.bcOrdersComplete;
    problems.push(
      `Not every order reached JASCI: ${missing} of ${run.ready.bcOrders} BC orders are incomplete ` +
        `(e.g. ${run.final.incompleteSample.join(', ')}); ${run.incompleteReason}`,
    );
  }
  if (figures.bcRequestsPer1000Orders > maxBcRequestsPer1000Orders) {
    problems.push(
      `BC request target missed: ${figures.bcRequestsPer1000Orders} requests per 1,000 orders, ` +
        `target at most ${maxBcRequestsPer1000Orders} (requests by path: ${byPathText(run.final)})` +
        (figures.orders < 1000
          ? '; the token and locations requests alone exceed the target below about 1,000 orders'
          : ''),
    );
  }
  if (figures.peakRssMb >= maxPeakRssMb) {
    problems.push(
      `Memory target missed: peak RSS ${figures.peakRssMb} MB, target under ${maxPeakRssMb} MB`,
    );
  }
  return problems;
}

function byPathText(status: StackStatus): string {
  const parts = Object.entries(status.bcRequestsByPath)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pathKey, count]) => `${pathKey} ${count}`);
  parts.push(`token ${status.bcTokenRequests}`);
  return parts.join(', ');
}

const number = (value: number): string => value.toLocaleString('en-US');

/** Writes the human-readable summary to stdout. */
export function printSummary(run: BenchRun, figures: BenchFigures): void {
  const { ready, final } = run;
  const seconds = secondsToLastOrder(run);
  const check = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
  const lines = [
    `Sales order benchmark: ${number(ready.bcOrders)} released BC orders, ${number(ready.bcLines)} lines, ` +
      `expected as ${number(ready.expectedJasciOrders)} JASCI orders (split by warehouse)`,
    `  reached JASCI:       ${number(final.bcOrdersComplete)} of ${number(ready.bcOrders)} BC orders ` +
      `(${number(final.jasciOrdersComplete)} JASCI orders)`,
    `  BC requests:         ${figures.bcRequests} (${byPathText(final)})` +
      (run.clientRequestCount === undefined
        ? ''
        : `; the connector's BcClient counted ${run.clientRequestCount} API requests`),
    `  per 1,000 orders:    ${figures.bcRequestsPer1000Orders} ` +
      `(target at most ${maxBcRequestsPer1000Orders}) ${check(figures.bcRequestsPer1000Orders <= maxBcRequestsPer1000Orders)}`,
    `  orders per second:   ${figures.ordersPerSecond} ` +
      `(${number(final.bcOrdersComplete)} orders in ${seconds.toFixed(1)} s from the poll start to the last order in JASCI; ` +
      `the poll ran ${(run.pollDurationMs / 1000).toFixed(1)} s` +
      (run.pollPages === undefined ? ')' : ` over ${run.pollPages} pages)`),
    `  peak RSS:            ${figures.peakRssMb} MB (target under ${maxPeakRssMb}) ` +
      `${check(figures.peakRssMb < maxPeakRssMb)}; connector process only, the stack process peaked at ` +
      `${(final.maxRssKiB / 1024).toFixed(1)} MB`,
    `  other:               ${number(final.jasciRequests)} JASCI requests, ${final.bcThrottled} BC requests throttled, ` +
      `to-jasci queue ${final.toJasciQueue.active} active / ${final.toJasciQueue.scheduled} scheduled / ` +
      `${final.toJasciQueue.deadLetter} dead-lettered, ${run.logErrors} errors and ${run.logWarnings} warnings logged`,
  ];
  console.log(lines.join('\n'));
}
