import type { BlobStore } from '../../archive/blobStore';
import { parseSalesOrderSnapshot, type SalesOrderSnapshot } from '../../bc/salesOrder';
import { randomUUID } from 'node:crypto';
import { BusinessCode, BusinessError, TransientCode, TransientError } from '../../errors';
import type { JasciClient } from '../../jasci/client';
import type { Logger } from '../../logging';
import { resolvePayload } from '../../messaging/claimCheck';
import type { Envelope } from '../../messaging/envelope';
import type { DocumentLocks } from '../../state/documentLocks';
import { DocumentLedger } from '../../state/documentLedger';
import type { WarehouseMap } from '../../state/warehouseMap';
import { mapSalesOrder, payloadHash } from './map';

/** Flow name in the DocumentLedger and the Failures table. */
export const SALES_ORDER_FLOW = 'salesOrders';

export interface DeliverSalesOrderDeps {
  jasci: Pick<JasciClient, 'upsertOutboundOrder'>;
  ledger: Pick<DocumentLedger, 'get' | 'put'>;
  warehouseMap: Pick<WarehouseMap, 'all'>;
  /** JASCI warehouse for lines without a BC location. */
  defaultWarehouseCode?: string;
  store: BlobStore;
  log: Logger;
  now?: () => Date;
  /** Leases that let one version of an order at a time reach JASCI; without them, two can. */
  locks?: Pick<DocumentLocks, 'acquire' | 'release'>;
}

/**
 * Lease time on one sales order while its JASCI orders are sent: each JASCI request times out
 * after JASCI_REQUEST_TIMEOUT_SECONDS (30 s by default) and an order has a few warehouse parts.
 */
const deliveryLeaseMs = 3 * 60_000;

export type DeliverOutcome = 'delivered' | 'unchanged' | 'stale';

/**
 * Sends one `salesOrder.upsert` message to JASCI. A version older than the ledger's is dropped and
 * a payload identical to the last one sent is skipped. Otherwise the snapshot is mapped with the
 * current warehouse map, each JASCI order is upserted and the ledger records what was sent.
 * BusinessError and TransientError reach the caller, which archives or retries the message.
 */
export async function deliverSalesOrder(
  deps: DeliverSalesOrderDeps,
  envelope: Envelope,
): Promise<DeliverOutcome> {
  const order = snapshotFrom(await resolvePayload(envelope, deps.store), envelope);
  const { locks } = deps;
  if (!locks) return deliverSnapshot(deps, envelope, order);

  // Two versions delivered at once could reach JASCI in the wrong order: the older upsert would
  // land last while the ledger keeps the newer version. One delivery per order at a time.
  const key = `salesOrderDelivery:${envelope.documentKey}`;
  const owner = `${envelope.version}:${envelope.attempt}:${randomUUID()}`;
  if (!(await locks.acquire(key, owner, deliveryLeaseMs))) {
    throw new TransientError(
      TransientCode.Conflict,
      `Another version of sales order ${envelope.documentKey} is being sent to JASCI; this one is retried later`,
      { details: { documentKey: envelope.documentKey } },
    );
  }
  try {
    return await deliverSnapshot(deps, envelope, order);
  } finally {
    await locks.release(key, owner).catch((error: unknown) =>
      deps.log.warn('Delivery lease not released; it expires by itself', {
        flow: SALES_ORDER_FLOW,
        documentKey: envelope.documentKey,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }
}

async function deliverSnapshot(
  deps: DeliverSalesOrderDeps,
  envelope: Envelope,
  order: SalesOrderSnapshot,
): Promise<DeliverOutcome> {
  const fields = {
    flow: SALES_ORDER_FLOW,
    documentKey: envelope.documentKey,
    version: envelope.version,
  };
  const row = await deps.ledger.get(SALES_ORDER_FLOW, envelope.documentKey);
  // Checked before mapping, so that an old version cannot raise a business error of its own.
  if (
    row !== undefined &&
    DocumentLedger.decide(row, envelope.version, row.payloadHash) === 'stale'
  ) {
    deps.log.info('Sales order version is older than the one sent; skipped', {
      ...fields,
      sentVersion: row.version,
    });
    return 'stale';
  }

  const orders = mapSalesOrder(order, await deps.warehouseMap.all(), deps.defaultWarehouseCode);
  if (orders.length === 0) {
    // NOTE: telling JASCI to cancel orders sent earlier is the order update flow's job, not this one.
    deps.log.info('Sales order has nothing to send (not released or nothing outstanding)', fields);
    return 'unchanged';
  }
  const hash = payloadHash(orders);
  if (DocumentLedger.decide(row, envelope.version, hash) === 'unchanged') {
    deps.log.info('Sales order unchanged since last sent; skipped', fields);
    return 'unchanged';
  }

  for (const jasciOrder of orders) {
    const result = await deps.jasci.upsertOutboundOrder(jasciOrder);
    deps.log.info('JASCI order upserted', {
      ...fields,
      orderNumber: jasciOrder.orderNumber,
      result,
    });
  }
  const jasciKeys = orders.map((jasciOrder) => jasciOrder.orderNumber);
  const dropped = (row?.jasciKeys ?? []).filter((key) => !jasciKeys.includes(key));
  if (dropped.length > 0) {
    deps.log.warn('JASCI orders sent earlier are no longer part of this sales order', {
      ...fields,
      dropped,
    });
  }
  await deps.ledger.put({
    flow: SALES_ORDER_FLOW,
    documentKey: envelope.documentKey,
    version: envelope.version,
    payloadHash: hash,
    status: 'sent',
    jasciKeys,
    updatedAt: (deps.now?.() ?? new Date()).toISOString(),
    etag: row?.etag,
  });
  return 'delivered';
}

function snapshotFrom(payload: unknown, envelope: Envelope): SalesOrderSnapshot {
  const parsed = parseSalesOrderSnapshot(payload);
  if (!parsed.ok) {
    throw new BusinessError(
      BusinessCode.InvalidPayload,
      `Message for sales order ${envelope.documentKey} holds an invalid snapshot: ${parsed.problems.join('; ')}; correct the archived message and replay it`,
      { details: { problems: parsed.problems } },
    );
  }
  if (parsed.value.number !== envelope.documentKey) {
    throw new BusinessError(
      BusinessCode.InvalidPayload,
      `Message for sales order ${envelope.documentKey} holds sales order ${parsed.value.number}; make documentKey and the payload's number agree and replay it`,
    );
  }
  return parsed.value;
}
