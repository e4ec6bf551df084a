import { BusinessError, TransientError } from '../../errors';
import type { Posting } from './post';

/**
 * Lease time on a BC order, chosen to outlast a posting: each BC request times out after
 * BC_REQUEST_TIMEOUT_SECONDS (60 s by default), and a posting makes a few reads, one PATCH per
 * changed line and one shipAndInvoice. A worker that crashes keeps the order locked this long.
 * NOTE: nothing renews the lease, so a posting of many lines whose requests each take nearly the
 * timeout can outlive it.
 */
const orderLeaseMs = 5 * 60_000;

/** Default of `leaseHoldMs`: the default retry delays (60, 300 and 900 s) add up to 21 minutes. */
const defaultLeaseHoldMs = 30 * 60_000;

/**
 * Runs `work` while holding the lease on the event's BC order, so that no other event changes the
 * order's lines between this event's PATCHes and its shipAndInvoice. Line ETags cannot ensure
 * that: another event may read the lines after the PATCHes and set its own quantities, which this
 * event's shipAndInvoice would then post. When the lease is held, this raises TransientError
 * CONFLICT and the message is retried on the normal schedule.
 */
export async function withOrderLease(
  posting: Posting,
  eventId: string,
  work: () => Promise<void>,
): Promise<void> {
  const { locks } = posting.deps;
  if (!locks) return work();
  const orderNumber = posting.event.erpOrderNumber;
  const key = `salesOrder:${orderNumber}`;
  if (!(await locks.acquire(key, eventId, orderLeaseMs))) {
    throw new TransientError(
      'CONFLICT',
      `Another shipment for BC order ${orderNumber} is being posted; this one is retried later`,
      { details: { orderNumber, eventId } },
    );
  }
  let outcomeUnknown = false;
  try {
    await work();
  } catch (error) {
    // A transient error while the ledger row is in `posting` came from shipAndInvoice or the
    // re-read after it, so BC may or may not have posted. Only this event's retry may touch the
    // order until it has reconciled, or another event's post would look like this one's.
    outcomeUnknown = !(error instanceof BusinessError) && posting.row.state === 'posting';
    throw error;
  } finally {
    await endOrderLease(posting, key, eventId, outcomeUnknown);
  }
}

async function endOrderLease(
  posting: Posting,
  key: string,
  eventId: string,
  outcomeUnknown: boolean,
): Promise<void> {
  const { locks, log, leaseHoldMs } = posting.deps;
  if (!locks) return;
  try {
    if (outcomeUnknown) {
      await locks.holdForRetry(key, eventId, leaseHoldMs ?? defaultLeaseHoldMs);
      log.warn("Lease on the BC order kept for this event's retry", posting.fields);
    } else {
      await locks.release(key, eventId);
    }
  } catch (error) {
    // The posting's own outcome matters more; the lease expires by itself.
    log.warn('Lease on the BC order not released or kept; it expires by itself', {
      ...posting.fields,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
