import * as v from 'valibot';
import type { BlobStore } from '../../archive/blobStore';
import { BusinessCode, BusinessError, TransientCode, TransientError } from '../../errors';
import { jasciShipmentEventSchema, type JasciShipmentEvent } from '../../jasci/wire';
import type { Logger } from '../../logging';
import { resolvePayload } from '../../messaging/claimCheck';
import type { Envelope } from '../../messaging/envelope';
import type { DocumentLocks } from '../../state/documentLocks';
import type { EventLedger, EventLedgerRow } from '../../state/eventLedger';
import {
  findSalesOrder,
  listSalesShipments,
  type SalesOrder,
  type ShipmentBcClient,
} from './bcOrder';
import {
  checkModeSupports,
  planShipment,
  shippedPerLine,
  type ShipmentLine,
  type ShipmentPlan,
} from './plan';
import { withOrderLease } from './orderLease';
import { pickShipmentNumber } from './postedShipments';
import { judgePosting, postingUncertainError, unknownOrder, type Verdict } from './reconcile';

export interface PostShipmentDeps {
  bc: ShipmentBcClient;
  events: Pick<EventLedger, 'begin' | 'update'>;
  mode: 'standard' | 'extension';
  log: Logger;
  /** Reads a claim-checked payload; required only for envelopes that carry `payloadBlob`. */
  store?: BlobStore;
  /** Leases that serialise postings per BC order; without them, two can run at the same time. */
  locks?: Pick<DocumentLocks, 'acquire' | 'release' | 'holdForRetry'>;
  /**
   * How long the lease is kept for this event's retry when an attempt ends without knowing
   * whether BC posted; it should outlast the retry schedule. Default 30 minutes.
   */
  leaseHoldMs?: number;
  /**
   * How long BC may still be running a request whose response never arrived. BC ends API
   * requests after 10 minutes with a 504, so the default is 10.5 minutes.
   */
  bcRequestLimitMs?: number;
  now?: () => Date;
}

/** Default of `bcRequestLimitMs`: BC's 10-minute cap on a request, plus a margin for clock skew. */
const defaultBcRequestLimitMs = 10.5 * 60_000;

/** One posting run: the event, its ledger row as last written, and the fields every log line has. */
export interface Posting {
  deps: PostShipmentDeps;
  event: JasciShipmentEvent;
  shipped: Map<number, ShipmentLine>;
  row: EventLedgerRow;
  fields: Record<string, unknown>;
}

/**
 * Posts a JASCI shipment in BC through the standard API, at most once per event id. Before
 * shipAndInvoice the event ledger records the shippedQuantity each line must reach, so a retry
 * after a crash, a timeout or a BC error re-reads the order and decides from BC's own numbers
 * whether the post happened, instead of posting again. Business errors mark the event failed and
 * are re-thrown; transient errors leave it in `posting` for the next attempt. With `deps.locks`,
 * one event at a time is posted per BC order.
 */
export async function postShipment(
  deps: PostShipmentDeps,
  envelope: Envelope,
): Promise<'posted' | 'alreadyPosted'> {
  const event = await readEvent(deps, envelope);
  const fields = {
    eventId: envelope.documentKey,
    orderNumber: event.erpOrderNumber,
    shipmentNumber: event.shipmentNumber,
    attempt: envelope.attempt,
    correlationId: envelope.correlationId,
  };
  const row = await deps.events.begin(envelope.documentKey, {
    kind: envelope.kind,
    documentKey: event.erpOrderNumber,
  });
  if (row.state === 'posted') {
    deps.log.info('Shipment already posted; nothing sent to BC', {
      ...fields,
      bcDocumentNumber: row.bcDocumentNumber,
    });
    return 'alreadyPosted';
  }

  const posting: Posting = { deps, event, shipped: new Map(), row, fields };
  await withOrderLease(posting, envelope.documentKey, async () => {
    try {
      checkModeSupports(event, deps.mode);
      posting.shipped = shippedPerLine(event);
      await postOrReconcile(posting);
    } catch (error) {
      if (error instanceof BusinessError) await markFailed(posting, error);
      throw error;
    }
  });
  return 'posted';
}

async function readEvent(deps: PostShipmentDeps, envelope: Envelope): Promise<JasciShipmentEvent> {
  let payload: unknown = envelope.payload;
  if (envelope.payloadBlob !== undefined) {
    if (!deps.store) {
      throw new Error(
        `Message ${envelope.documentKey} carries its payload in blob ${envelope.payloadBlob}, but ` +
          'postShipment was called without a blob store; pass deps.store',
      );
    }
    payload = await resolvePayload(envelope, deps.store);
  }
  const result = v.safeParse(jasciShipmentEventSchema, payload);
  if (result.success) return result.output;
  const problems = result.issues
    .map((issue) => `${v.getDotPath(issue) ?? '(payload)'}: ${issue.message}`)
    .join('; ');
  throw new BusinessError(
    BusinessCode.InvalidPayload,
    `Shipment message ${envelope.documentKey} does not hold a valid shipment.closed event: ` +
      `${problems}; correct the archived message, then replay it`,
    { details: { eventId: envelope.documentKey } },
  );
}

async function postOrReconcile(posting: Posting): Promise<void> {
  const { deps, event, row } = posting;
  const order = await findSalesOrder(deps.bc, event.erpOrderNumber);

  if (row.state === 'posting' && row.expected) {
    // An earlier attempt stopped after recording what BC should show; BC's numbers decide.
    const verdict = await judgePosting(deps.bc, event, posting.shipped, row.expected, order);
    deps.log.warn('Shipment post was interrupted; reconciling with BC', {
      ...posting.fields,
      verdict,
    });
    if (verdict === 'posted') return finishPosted(posting);
    if (verdict === 'mixed') throw postingUncertainError(event, row.expected);
    waitForUnansweredAction(posting);
    // Not posted, and the earlier action can no longer be running: plan afresh from BC's numbers.
    posting.row = await deps.events.update(posting.row, { state: 'received', expected: undefined });
  }
  if (!order) throw await unknownOrder(deps.bc, event);
  await postToBc(posting, order, planShipment(event, order));
}

/**
 * Raises a transient error while the earlier shipAndInvoice may still be running in BC. A client
 * time-out does not stop the request on BC's side, so a post that looks absent now may still
 * happen. Posting again before BC has ended it would ship the quantities twice.
 */
function waitForUnansweredAction(posting: Posting): void {
  const { deps, row, event } = posting;
  const sentAt = Date.parse(row.updatedAt);
  const now = (deps.now?.() ?? new Date()).getTime();
  const waitMs = sentAt + (deps.bcRequestLimitMs ?? defaultBcRequestLimitMs) - now;
  if (Number.isNaN(sentAt) || waitMs <= 0) return;
  throw new TransientError(
    TransientCode.Unavailable,
    `shipAndInvoice for BC order ${event.erpOrderNumber} was sent at ${row.updatedAt} without an ` +
      'answer and may still be running in BC, which ends a request after 10 minutes; the ' +
      'shipment is checked again after that',
    { retryAfterMs: waitMs, details: { orderNumber: event.erpOrderNumber, sentAt: row.updatedAt } },
  );
}

async function postToBc(posting: Posting, order: SalesOrder, plan: ShipmentPlan): Promise<void> {
  const { deps } = posting;
  for (const line of plan.reset) {
    await deps.bc.patch(
      linePath(order, line.id),
      { shipQuantity: 0, invoiceQuantity: 0 },
      line['@odata.etag'],
    );
  }
  for (const { line, quantity } of plan.ship) {
    await deps.bc.patch(
      linePath(order, line.id),
      { shipQuantity: quantity, invoiceQuantity: 0 },
      line['@odata.etag'],
    );
  }

  // Nothing is posted before the action, so only from here on may a retry find the shipment in
  // BC without having seen the response. The row records what the lines must show once posted.
  posting.row = await deps.events.update(posting.row, {
    state: 'posting',
    expected: plan.expected,
    failureCode: undefined,
  });
  try {
    await deps.bc.post(`salesOrders(${order.id})/Microsoft.NAV.shipAndInvoice`);
  } catch (error) {
    // Older BC versions post the shipment and then fail looking for the invoice that
    // invoiceQuantity 0 never created, so a rejected action may still have shipped.
    if (!(error instanceof BusinessError)) throw error;
    const verdict = await currentVerdict(posting, plan.expected);
    if (verdict === 'posted') {
      deps.log.warn('BC rejected shipAndInvoice but posted the shipment; recorded as posted', {
        ...posting.fields,
        bcError: error.message,
      });
      return finishPosted(posting);
    }
    if (verdict === 'mixed') throw postingUncertainError(posting.event, plan.expected, error);
    throw error;
  }

  const verdict = await currentVerdict(posting, plan.expected);
  if (verdict === 'posted') return finishPosted(posting);
  if (verdict === 'mixed') throw postingUncertainError(posting.event, plan.expected);
  throw new BusinessError(
    BusinessCode.BcRejected,
    `BC accepted shipAndInvoice for sales order ${order.number}, but no line's shippedQuantity ` +
      `changed for shipment ${posting.event.shipmentNumber}; check the order's warehouse setup ` +
      '(locations that require warehouse shipments cannot post from the order), then replay',
    { details: { orderNumber: order.number, shipmentNumber: posting.event.shipmentNumber } },
  );
}

function linePath(order: SalesOrder, lineId: string): string {
  return `salesOrders(${order.id})/salesOrderLines(${lineId})`;
}

/** Re-reads the order and judges whether the recorded shipment is in BC. */
async function currentVerdict(
  posting: Posting,
  expected: Record<string, number>,
): Promise<Verdict> {
  const { bc } = posting.deps;
  const order = await findSalesOrder(bc, posting.event.erpOrderNumber);
  return judgePosting(bc, posting.event, posting.shipped, expected, order);
}

async function finishPosted(posting: Posting): Promise<void> {
  const { deps } = posting;
  const bcDocumentNumber = await findShipmentNumber(posting);
  posting.row = await deps.events.update(posting.row, {
    state: 'posted',
    ...(bcDocumentNumber === undefined ? {} : { bcDocumentNumber }),
  });
  deps.log.info('Shipment posted in BC', { ...posting.fields, bcDocumentNumber });
}

/** Finds the posted shipment's number; a failed lookup is logged and the posting still recorded. */
async function findShipmentNumber(posting: Posting): Promise<string | undefined> {
  try {
    const shipments = await listSalesShipments(posting.deps.bc, posting.event.erpOrderNumber);
    // NOTE: two events posted for the same order at the same moment with equal quantities
    // cannot be distinguished here, because a standard API shipment carries no JASCI reference.
    return pickShipmentNumber(shipments, posting.shipped);
  } catch (error) {
    posting.deps.log.warn('Posted shipment number not found; the ledger row keeps none', {
      ...posting.fields,
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}

async function markFailed(posting: Posting, error: BusinessError): Promise<void> {
  try {
    posting.row = await posting.deps.events.update(posting.row, {
      state: 'failed',
      failureCode: error.code,
    });
  } catch (ledgerError) {
    // The business error is still archived and alerted by the caller; a replay re-reads BC.
    posting.deps.log.warn('Event ledger not updated to failed', {
      ...posting.fields,
      failureCode: error.code,
      error: ledgerError instanceof Error ? ledgerError.message : String(ledgerError),
    });
  }
}
