import {
  JasciOrderStatus,
  type JasciOutboundOrder,
  type JasciShipmentLine,
} from '../../shared/jasci/wire';

/** Order as the sandbox stores it: the last received content plus warehouse progress. */
export interface SandboxOrder extends JasciOutboundOrder {
  status: JasciOrderStatus;
  /** Quantity shipped so far per `lineNumber`. */
  shippedQuantities: Record<number, number>;
  shipmentNumbers: string[];
}

/** One body received by `PUT /V1/outbound-orders/{orderNumber}`. */
export interface ReceivedVersion {
  receivedAt: string;
  order: JasciOutboundOrder;
}

export type UpsertResult =
  | { outcome: 'created' | 'updated'; order: SandboxOrder }
  | { outcome: 'conflict'; code: string; message: string };

export type CancelResult =
  | { outcome: 'cancelled'; order: SandboxOrder }
  | { outcome: 'notFound' | 'conflict'; code: string; message: string };

/** In-memory order store that applies the contract's upsert and cancel rules. */
export class OrderStore {
  private readonly orders = new Map<string, SandboxOrder>();
  private readonly versions = new Map<string, ReceivedVersion[]>();

  constructor(private readonly now: () => Date) {}

  upsert(order: JasciOutboundOrder): UpsertResult {
    const existing = this.orders.get(order.orderNumber);
    const history = this.versions.get(order.orderNumber) ?? [];
    if (existing && existing.status !== JasciOrderStatus.Open) {
      return existing.status === JasciOrderStatus.Cancelled
        ? conflict(
            'ORDER_CANCELLED',
            `Order ${order.orderNumber} is cancelled and cannot be changed.`,
          )
        : conflict(
            'ORDER_IN_FULFILMENT',
            `Order ${order.orderNumber} is already in fulfilment (${existing.status}) and cannot be changed.`,
          );
    }
    history.push({ receivedAt: this.now().toISOString(), order: structuredClone(order) });
    this.versions.set(order.orderNumber, history);
    const stored: SandboxOrder = {
      ...structuredClone(order),
      status: JasciOrderStatus.Open,
      shippedQuantities: {},
      shipmentNumbers: [],
    };
    this.orders.set(order.orderNumber, stored);
    return { outcome: existing ? 'updated' : 'created', order: stored };
  }

  cancel(orderNumber: string): CancelResult {
    const order = this.orders.get(orderNumber);
    if (!order) {
      return {
        outcome: 'notFound',
        code: 'ORDER_NOT_FOUND',
        message: `Order ${orderNumber} does not exist.`,
      };
    }
    if (order.status === JasciOrderStatus.Open || order.status === JasciOrderStatus.Cancelled) {
      order.status = JasciOrderStatus.Cancelled;
      return { outcome: 'cancelled', order };
    }
    return conflict(
      'ORDER_IN_FULFILMENT',
      `Order ${orderNumber} is already in fulfilment (${order.status}) and cannot be cancelled.`,
    );
  }

  /** Returns the stored order itself for the warehouse to update; other callers get copies. */
  find(orderNumber: string): SandboxOrder | undefined {
    return this.orders.get(orderNumber);
  }

  get(orderNumber: string): SandboxOrder | undefined {
    const order = this.orders.get(orderNumber);
    return order && structuredClone(order);
  }

  all(): SandboxOrder[] {
    return [...this.orders.values()].map((order) => structuredClone(order));
  }

  history(orderNumber: string): ReceivedVersion[] {
    return structuredClone(this.versions.get(orderNumber) ?? []);
  }

  /** Quantity of a line still to ship. */
  remaining(order: SandboxOrder, lineNumber: number): number {
    const line = order.lines.find((candidate) => candidate.lineNumber === lineNumber);
    if (!line) return 0;
    return line.quantity - (order.shippedQuantities[lineNumber] ?? 0);
  }

  /** Books a shipment against the order and moves it to PARTIALLY_SHIPPED or SHIPPED. */
  recordShipment(order: SandboxOrder, shipmentNumber: string, lines: JasciShipmentLine[]): void {
    for (const line of lines) {
      order.shippedQuantities[line.lineNumber] =
        (order.shippedQuantities[line.lineNumber] ?? 0) + line.quantity;
    }
    order.shipmentNumbers.push(shipmentNumber);
    const complete = order.lines.every((line) => this.remaining(order, line.lineNumber) <= 0);
    order.status = complete ? JasciOrderStatus.Shipped : JasciOrderStatus.PartiallyShipped;
  }
}

function conflict(
  code: string,
  message: string,
): { outcome: 'conflict'; code: string; message: string } {
  return { outcome: 'conflict', code, message };
}
