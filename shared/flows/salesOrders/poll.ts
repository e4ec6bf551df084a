import { randomUUID } from 'node:crypto';
import type { BcClient } from '../../bc/client';
import { bcLocationSchema, parseBcSalesOrder, type SalesOrderSnapshot } from '../../bc/salesOrder';
import { RELEASED_FILTER, isReleased } from '../../bc/status';
import { edmDateTime, filterAnd, filterCompare } from '../../bc/values';
import { BusinessCode, BusinessError } from '../../errors';
import type { Logger } from '../../logging';
import type { Envelope } from '../../messaging/envelope';
import type { QueueSender } from '../../messaging/queues';
import type { SyncCursors } from '../../state/syncCursors';
import { compareVersions } from '../../state/documentLedger';
import * as v from 'valibot';
import { withLocationCodes } from './map';

/** Name of the SyncCursors row that stores the latest `lastModifiedDateTime` read. */
export const SALES_ORDER_CURSOR = 'salesOrders';

const POLLER = 'salesOrders';
const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * How far behind the cursor each run starts reading. BC stamps `lastModifiedDateTime` when a record
 * changes, but the change becomes visible only at commit, so a slow transaction can show up later
 * with an older time. Orders read twice are harmless: the queue drops a repeated messageId and the
 * worker skips an unchanged payload.
 */
// NOTE: 30 seconds is an estimate of the longest BC commit delay, not a measured value.
export const DEFAULT_OVERLAP_MS = 30_000;

export interface PollSalesOrdersDeps {
  bc: Pick<BcClient, 'listPages'>;
  cursors: Pick<SyncCursors, 'get' | 'set'>;
  toJasci: Pick<QueueSender, 'sendBatch'>;
  log: Logger;
  now: () => Date;
  /** Cursor of the first run, when no cursor is stored yet (ISO timestamp); default the epoch. */
  startAt?: string;
  /** Overlap window in milliseconds; default DEFAULT_OVERLAP_MS. */
  overlapMs?: number;
  /**
   * Records an order that BC returned but that fails validation, with the order as read, so it
   * shows in the Failures table and its alerts. Without it such an order is only logged.
   */
  reportInvalid?: (envelope: Envelope, error: BusinessError) => Promise<unknown>;
}

interface InvalidOrder {
  raw: unknown;
  problems: string[];
}

export interface PollStats {
  /** Released orders enqueued. */
  detected: number;
  pages: number;
  /** Orders returned by BC that are not released (Draft, In Review), so not enqueued. */
  skipped: number;
  /** Orders that failed validation; each is logged as an error and not enqueued. */
  invalid: number;
  /** The cursor after this run. */
  cursor: string;
}

/**
 * Reads released sales orders changed since the cursor, page by page, and enqueues one
 * `salesOrder.upsert` message per order. The cursor moves to the latest `lastModifiedDateTime`
 * read, and only after every page is enqueued, so a failed run is read again in full.
 */
export async function pollSalesOrders(deps: PollSalesOrdersDeps): Promise<PollStats> {
  const started = deps.now();
  const stored = await deps.cursors.get(SALES_ORDER_CURSOR);
  const cursor = stored?.value ?? deps.startAt ?? EPOCH;
  const stats: PollStats = { detected: 0, pages: 0, skipped: 0, invalid: 0, cursor };
  let locations: Map<string, string> | undefined;

  try {
    const query = { filter: changedSince(cursor, deps.overlapMs), expand: 'salesOrderLines' };
    for await (const page of deps.bc.listPages<unknown>('salesOrders', query)) {
      stats.pages += 1;
      const invalid: InvalidOrder[] = [];
      const orders = validOrders(page, stats, deps.log, invalid);
      if (orders.some(needsLocationCodes)) locations ??= await loadLocations(deps.bc);
      const envelopes = orders.map((order) =>
        envelopeFor(withLocationCodes(order, locations), deps.now()),
      );
      if (envelopes.length > 0) await deps.toJasci.sendBatch(envelopes);
      stats.detected += envelopes.length;
      for (const order of invalid) await reportInvalidOrder(deps, order);
    }
  } catch (error) {
    deps.log.error('Poll failed; the cursor was not moved', {
      poller: POLLER,
      pages: stats.pages,
      detected: stats.detected,
      cursor,
      error,
    });
    throw error;
  }

  if (stats.cursor !== cursor)
    await deps.cursors.set(SALES_ORDER_CURSOR, stats.cursor, stored?.etag);
  deps.log.info('Poll completed', {
    poller: POLLER,
    detected: stats.detected,
    pages: stats.pages,
    skipped: stats.skipped,
    invalid: stats.invalid,
    cursor: stats.cursor,
    durationMs: deps.now().getTime() - started.getTime(),
  });
  return stats;
}

/** Writes the `$filter` for released orders changed after the cursor minus the overlap. */
export function changedSince(cursor: string, overlapMs = DEFAULT_OVERLAP_MS): string {
  const time = Date.parse(cursor);
  if (Number.isNaN(time)) {
    throw new RangeError(
      `Invalid ${SALES_ORDER_CURSOR} cursor '${cursor}': expected an ISO timestamp; fix or delete the SyncCursors row`,
    );
  }
  const since = new Date(Math.max(0, time - overlapMs));
  return filterAnd(
    RELEASED_FILTER,
    filterCompare('lastModifiedDateTime', 'gt', edmDateTime(since)),
  );
}

/**
 * Validates one page and moves `stats.cursor` past every valid order read. An invalid order is
 * logged with its problems and left out: it cannot be mapped, and BC sends it again once changed.
 */
function validOrders(
  page: unknown[],
  stats: PollStats,
  log: Logger,
  invalid: InvalidOrder[],
): SalesOrderSnapshot[] {
  const released: SalesOrderSnapshot[] = [];
  for (const raw of page) {
    const result = parseBcSalesOrder(raw);
    if (!result.ok) {
      stats.invalid += 1;
      log.error('Sales order failed validation and was not enqueued', {
        poller: POLLER,
        documentKey: keyOf(raw),
        problems: result.problems,
      });
      invalid.push({ raw, problems: result.problems });
      continue;
    }
    const order = result.value;
    if (compareVersions(order.lastModifiedDateTime, stats.cursor) > 0) {
      stats.cursor = order.lastModifiedDateTime;
    }
    if (isReleased(order.status)) released.push(order);
    else stats.skipped += 1;
  }
  return released;
}

/** Returns the order number, or the id, of an order that failed validation, for the log. */
function keyOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { number, id } = raw as { number?: unknown; id?: unknown };
  if (typeof number === 'string' && number !== '') return number;
  return typeof id === 'string' ? id : undefined;
}

function needsLocationCodes(order: SalesOrderSnapshot): boolean {
  return order.lines.some(
    (line) => line.locationId !== undefined && line.locationCode === undefined,
  );
}

/** Reads every BC location once per run: id (lower case) to code. */
async function loadLocations(bc: Pick<BcClient, 'listPages'>): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  for await (const page of bc.listPages<unknown>('locations', { select: 'id,code' })) {
    for (const raw of page) {
      const result = v.safeParse(bcLocationSchema, raw);
      if (result.success && result.output.id !== undefined && result.output.code !== undefined) {
        codes.set(result.output.id, result.output.code);
      }
    }
  }
  return codes;
}

async function reportInvalidOrder(deps: PollSalesOrdersDeps, order: InvalidOrder): Promise<void> {
  if (!deps.reportInvalid) return;
  const key = keyOf(order.raw) ?? 'unknown';
  const modified = (order.raw as { lastModifiedDateTime?: unknown } | null)?.lastModifiedDateTime;
  const now = deps.now();
  const envelope: Envelope = {
    kind: 'salesOrder.upsert',
    documentKey: key,
    version: typeof modified === 'string' && modified !== '' ? modified : now.toISOString(),
    attempt: 1,
    firstEnqueuedAt: now.toISOString(),
    correlationId: randomUUID(),
    payload: order.raw,
  };
  const error = new BusinessError(
    BusinessCode.InvalidPayload,
    `Sales order ${key} read from BC is invalid: ${order.problems.join('; ')}. ` +
      'Fix the order in BC; the poller reads it again once it changes.',
    { details: { problems: order.problems } },
  );
  await deps.reportInvalid(envelope, error);
}

function envelopeFor(order: SalesOrderSnapshot, now: Date): Envelope {
  return {
    kind: 'salesOrder.upsert',
    documentKey: order.number,
    version: order.lastModifiedDateTime,
    attempt: 1,
    firstEnqueuedAt: now.toISOString(),
    correlationId: randomUUID(),
    payload: order,
  };
}
