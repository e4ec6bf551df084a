import { formatColumns } from '../textTable';
import type { BlobStore } from '../../shared/archive/blobStore';
import type { FailureRecord } from '../../shared/state/failures';
import type { BcSandbox } from '../bc-sandbox';
import type { HostLogEntry } from '../host';
import type { JasciSandbox } from '../jasci-sandbox';
import { demoOrders } from './scenario';

export type FlowName = 'salesOrders' | 'shipments';

export interface FlowSummary {
  flow: FlowName;
  detected: number;
  delivered: number;
  confirmed: number;
  businessFailures: number;
  retries: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
}

export interface DemoSummary {
  ok: boolean;
  flows: FlowSummary[];
  failures: { flow: string; code: string; documentKey: string }[];
  /** Expected outcomes that did not happen; empty when `ok`. */
  missing: string[];
}

export interface SummaryInput {
  settled: boolean;
  logs: readonly HostLogEntry[];
  failures: readonly FailureRecord[];
  archive: BlobStore;
  bc: BcSandbox;
  jasci: JasciSandbox;
  expectedOrders: readonly string[];
  fullyShipped: (orderNumber: string) => boolean;
}

/** Returns the value at quantile `q` (0..1) by the nearest-rank method; 0 for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return Math.round(sorted[rank - 1] as number);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function processed(logs: readonly HostLogEntry[], flow: FlowName): HostLogEntry[] {
  return logs.filter(
    (entry) => entry.message === 'Message processed' && entry.fields?.flow === flow,
  );
}

/**
 * Latency from the change (BC `lastModifiedDateTime`, or the JASCI event time: the message
 * version either way) to the first time the worker finished the document with `outcome`.
 */
function latencies(entries: readonly HostLogEntry[], outcome: string): number[] {
  const first = new Map<string, number>();
  for (const entry of entries) {
    const key = text(entry.fields?.documentKey);
    if (entry.fields?.outcome !== outcome || first.has(key)) continue;
    const changedAt = Date.parse(text(entry.fields?.version));
    if (!Number.isNaN(changedAt)) first.set(key, entry.time.getTime() - changedAt);
  }
  return [...first.values()];
}

function distinctKeys(entries: readonly HostLogEntry[], outcome?: string): number {
  const keys = entries
    .filter((entry) => outcome === undefined || entry.fields?.outcome === outcome)
    .map((entry) => text(entry.fields?.documentKey));
  return new Set(keys).size;
}

function flowSummary(
  flow: FlowName,
  input: SummaryInput,
  counts: { detected: number; delivered: number; confirmed: number },
  outcome: string,
): FlowSummary {
  const entries = processed(input.logs, flow);
  const times = latencies(entries, outcome);
  return {
    flow,
    ...counts,
    businessFailures: input.failures.filter((f) => f.flow === flow && f.category === 'business')
      .length,
    retries: input.logs.filter((e) => e.message === 'Retry scheduled' && e.fields?.flow === flow)
      .length,
    latencyP50Ms: percentile(times, 0.5),
    latencyP95Ms: percentile(times, 0.95),
  };
}

async function archived(archive: BlobStore, blobName: string): Promise<boolean> {
  try {
    await archive.getJson(blobName);
    return true;
  } catch {
    return false;
  }
}

/** Checks every outcome the scenario promises and lists the ones that did not happen. */
async function missingOutcomes(input: SummaryInput, flows: FlowSummary[]): Promise<string[]> {
  const missing: string[] = [];
  const jasciOrders = input.jasci.orders.all();
  const parts = jasciOrders.filter((order) => order.erpOrderNumber === demoOrders.split);
  if (parts.length !== 2)
    missing.push(`${demoOrders.split} should reach JASCI as 2 orders, got ${parts.length}`);

  const partialShipments = input.bc.store.salesShipments(demoOrders.partial).length;
  if (partialShipments < 2 || !input.fullyShipped(demoOrders.partial)) {
    missing.push(
      `${demoOrders.partial} should be posted in BC as 2 partial shipments, got ${partialShipments}`,
    );
  }

  if ((flows[0]?.retries ?? 0) === 0)
    missing.push('the JASCI 503 storm should force scheduled retries');

  const unmapped = input.failures.find(
    (f) => f.documentKey === demoOrders.unmapped && f.code === 'UNMAPPED_LOCATION',
  );
  if (!unmapped)
    missing.push(`${demoOrders.unmapped} should be recorded in Failures as UNMAPPED_LOCATION`);
  else if (!(await archived(input.archive, unmapped.blobName))) {
    missing.push(
      `the payload of ${demoOrders.unmapped} should be archived at ${unmapped.blobName}`,
    );
  }

  if (jasciOrders.some((order) => order.erpOrderNumber === demoOrders.draft)) {
    missing.push(`${demoOrders.draft} is not released and must not reach JASCI`);
  }

  const notShipped = input.expectedOrders.filter((number) => !input.fullyShipped(number));
  if (notShipped.length > 0) missing.push(`not fully shipped in BC: ${notShipped.join(', ')}`);

  const shipments = flows[1];
  if (shipments && shipments.confirmed !== shipments.detected) {
    missing.push(
      `${shipments.detected} shipment events were sent but ${shipments.confirmed} posted in BC`,
    );
  }

  const unexpected = input.failures.filter((f) => f.documentKey !== demoOrders.unmapped);
  for (const f of unexpected) {
    missing.push(`unexpected ${f.category} failure ${f.code} for ${f.documentKey}: ${f.message}`);
  }

  if (!input.settled) missing.push('the scenario did not settle before the time-out');
  return missing;
}

/** Builds the demo summary from the host's log, the Failures table and the sandboxes' state. */
export async function summarise(input: SummaryInput): Promise<DemoSummary> {
  const orderEntries = processed(input.logs, 'salesOrders');
  const shipmentEvents = input.jasci.events.filter((event) => event.event === 'shipment.closed');
  const flows: FlowSummary[] = [
    flowSummary(
      'salesOrders',
      input,
      {
        detected: distinctKeys(orderEntries),
        delivered: distinctKeys(orderEntries, 'delivered'),
        confirmed: new Set(input.jasci.orders.all().map((order) => order.erpOrderNumber)).size,
      },
      'delivered',
    ),
    flowSummary(
      'shipments',
      input,
      {
        detected: shipmentEvents.length,
        delivered: shipmentEvents.filter((event) => event.delivered).length,
        confirmed: distinctKeys(processed(input.logs, 'shipments'), 'posted'),
      },
      'posted',
    ),
  ];
  const missing = await missingOutcomes(input, flows);
  return {
    ok: missing.length === 0,
    flows,
    failures: input.failures.map((f) => ({
      flow: f.flow,
      code: f.code,
      documentKey: f.documentKey,
    })),
    missing,
  };
}

/** Formats the summary as a table for people. */
export function formatSummary(summary: DemoSummary): string {
  const header = [
    'flow',
    'detected',
    'delivered',
    'confirmed',
    'business failures',
    'retries',
    'p50 ms',
    'p95 ms',
  ];
  const rows = summary.flows.map((f) =>
    [
      f.flow,
      f.detected,
      f.delivered,
      f.confirmed,
      f.businessFailures,
      f.retries,
      f.latencyP50Ms,
      f.latencyP95Ms,
    ].map(String),
  );
  const out = [...formatColumns([header, ...rows]), ''];
  out.push(summary.failures.length === 0 ? 'Failures: none' : 'Failures:');
  const failureRows = summary.failures.map((f) => [f.flow, f.code, f.documentKey]);
  for (const line of formatColumns(failureRows)) out.push(`  ${line}`);
  out.push('');
  out.push(summary.ok ? 'Every expected outcome happened.' : 'Missing outcomes:');
  for (const m of summary.missing) out.push(`  - ${m}`);
  return out.join('\n');
}
