import { randomUUID } from 'node:crypto';
import {
  JasciEventName,
  JasciOrderStatus,
  type JasciOutboundOrder,
  type JasciShipmentEvent,
  type JasciShipmentLine,
  type JasciShipmentLot,
} from '../../shared/jasci/wire';
import type { OrderStore, SandboxOrder } from './orders';
import type { WebhookSender } from './webhook';

/**
 * Rule for orders that ship in two parts. A number is the share of each line's quantity in the
 * first shipment, so 0.5 ships `ceil(quantity / 2)` first. A function decides per order and
 * returns false for one full shipment, true for halves, or a share.
 */
export type PartialRule = number | ((order: JasciOutboundOrder) => boolean | number);

export interface WarehouseOptions {
  /** Ships every received order by itself, `shipDelayMs` after it arrived. */
  autoShip: boolean;
  shipDelayMs: number;
  partial?: PartialRule;
  /** Adds one lot per shipped line, named after the product. */
  lots?: boolean;
  /** Carrier when the order names none (default `UPS`). */
  defaultCarrier?: string;
}

/** A line to ship by hand; the quantity defaults to what is still open. */
export interface ShipLineRequest {
  lineNumber: number;
  quantity?: number;
  lots?: JasciShipmentLot[];
  serials?: string[];
}

export interface ShipResult {
  eventId: string;
  shipmentNumber: string;
  /** True once the connector returned 2xx. */
  delivered: boolean;
  /** HTTP status of the last delivery attempt; undefined when no attempt got a response. */
  status: number | undefined;
  orderStatus: JasciOrderStatus;
}

/** Warehouse simulator: turns orders into `shipment.closed` events. */
export class Warehouse {
  readonly backgroundErrors: string[] = [];
  private shipmentCounter = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: OrderStore,
    private readonly sender: WebhookSender,
    private readonly options: WarehouseOptions | undefined,
    private readonly now: () => Date,
  ) {}

  /** Schedules the automatic shipment of a newly created order. */
  orderCreated(orderNumber: string): void {
    if (!this.options?.autoShip) return;
    this.later(() => this.autoShip(orderNumber));
  }

  async ship(orderNumber: string, lines?: ShipLineRequest[]): Promise<ShipResult> {
    const order = this.store.find(orderNumber);
    if (!order) throw new Error(`Cannot ship order ${orderNumber}: the sandbox has no such order.`);
    if (
      order.status !== JasciOrderStatus.Open &&
      order.status !== JasciOrderStatus.PartiallyShipped
    ) {
      throw new Error(`Cannot ship order ${orderNumber}: its status is ${order.status}.`);
    }
    const requested = lines ?? order.lines.map((line) => ({ lineNumber: line.lineNumber }));
    const shipmentLines = requested
      .map((request) => this.shipmentLine(order, request))
      .filter((line) => line.quantity > 0);
    if (shipmentLines.length === 0) {
      throw new Error(`Cannot ship order ${orderNumber}: nothing is left to ship.`);
    }

    this.shipmentCounter += 1;
    const shipmentNumber = `SH${String(this.shipmentCounter).padStart(6, '0')}`;
    this.store.recordShipment(order, shipmentNumber, shipmentLines);
    const event: JasciShipmentEvent = {
      event: JasciEventName.ShipmentClosed,
      eventId: randomUUID(),
      timestamp: this.now().toISOString(),
      shipmentNumber,
      orderNumber: order.orderNumber,
      erpOrderNumber: order.erpOrderNumber,
      warehouseCode: order.warehouseCode,
      carrier: order.carrier ?? this.options?.defaultCarrier ?? 'UPS',
      carrierService: order.carrierService,
      trackingNumber: `1Z${String(this.shipmentCounter).padStart(16, '0')}`,
      lines: shipmentLines,
    };
    const sent = await this.sender.send(
      JSON.parse(JSON.stringify(event)) as Record<string, unknown>,
    );
    return {
      eventId: event.eventId ?? '',
      shipmentNumber,
      delivered: sent.delivered,
      status: sent.attempts.at(-1)?.status,
      orderStatus: order.status,
    };
  }

  /** Cancels pending automatic shipments and waits for the ones already running. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }

  private shipmentLine(order: SandboxOrder, request: ShipLineRequest): JasciShipmentLine {
    const line = order.lines.find((candidate) => candidate.lineNumber === request.lineNumber);
    if (!line) {
      throw new Error(
        `Cannot ship line ${request.lineNumber} of order ${order.orderNumber}: no such line.`,
      );
    }
    const remaining = this.store.remaining(order, line.lineNumber);
    const quantity = request.quantity ?? remaining;
    if (quantity > remaining) {
      throw new Error(
        `Cannot ship ${quantity} on line ${line.lineNumber} of order ${order.orderNumber}: only ${remaining} is open.`,
      );
    }
    const shipped: JasciShipmentLine = {
      lineNumber: line.lineNumber,
      product: line.product,
      quantity,
      uom: line.uom,
    };
    const lots =
      request.lots ?? (this.options?.lots ? [{ lot: `LOT-${line.product}`, quantity }] : undefined);
    if (lots) shipped.lots = lots;
    if (request.serials) shipped.serials = request.serials;
    return shipped;
  }

  private async autoShip(orderNumber: string): Promise<void> {
    const order = this.store.find(orderNumber);
    if (order?.status !== JasciOrderStatus.Open) return;
    const share = this.firstShare(order);
    const firstLines = order.lines.map((line) => ({
      lineNumber: line.lineNumber,
      quantity: partQuantity(line.quantity, share),
    }));
    await this.ship(orderNumber, firstLines);
    if (this.store.find(orderNumber)?.status === JasciOrderStatus.PartiallyShipped) {
      this.later(() => this.shipRest(orderNumber));
    }
  }

  private async shipRest(orderNumber: string): Promise<void> {
    if (this.store.find(orderNumber)?.status !== JasciOrderStatus.PartiallyShipped) return;
    await this.ship(orderNumber);
  }

  private firstShare(order: JasciOutboundOrder): number {
    const rule = this.options?.partial;
    const decision = typeof rule === 'function' ? rule(order) : rule;
    if (decision === true) return 0.5;
    if (typeof decision === 'number' && decision > 0 && decision < 1) return decision;
    return 1;
  }

  private later(task: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = task()
        .catch((error: unknown) => {
          this.backgroundErrors.push(error instanceof Error ? error.message : String(error));
        })
        .finally(() => this.running.delete(run));
      this.running.add(run);
    }, this.options?.shipDelayMs ?? 0);
    this.timers.add(timer);
  }
}

/** First-shipment quantity: a whole share of whole quantities; fractional quantities ship in full. */
function partQuantity(quantity: number, share: number): number {
  if (share >= 1 || !Number.isInteger(quantity)) return quantity;
  return Math.min(quantity, Math.ceil(quantity * share));
}
