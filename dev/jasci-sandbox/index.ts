import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxAuth, type SandboxCredentials } from './auth';
import { FaultInjector, type SandboxFaults } from './faults';
import { OrderStore, type ReceivedVersion, type SandboxOrder } from './orders';
import { BASE_PATH, createRequestListener } from './routes';
import {
  Warehouse,
  type ShipLineRequest,
  type ShipResult,
  type WarehouseOptions,
} from './warehouse';
import { WebhookSender, type SentEvent, type WebhookOptions } from './webhook';

export type { SandboxCredentials } from './auth';
export type { SandboxFaults } from './faults';
export type { ReceivedVersion, SandboxOrder } from './orders';
export type { PartialRule, ShipLineRequest, ShipResult, WarehouseOptions } from './warehouse';
export type { DeliveryAttempt, SentEvent, WebhookOptions } from './webhook';

export interface JasciSandboxOptions {
  /** Accepted `API-KEY-X` value. */
  apiKey?: string;
  /** Accepted `POST /authenticate` body. */
  credentials?: SandboxCredentials;
  /** Lifetime of issued bearer tokens (default one hour). */
  tokenLifetimeMs?: number;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  webhook?: WebhookOptions;
  warehouse?: WarehouseOptions;
}

export interface JasciSandboxStats {
  requests: number;
  /** Requests per route, keyed like `PUT /V1/outbound-orders/{orderNumber}`. */
  byRoute: Record<string, number>;
  failuresInjected: number;
  /** Errors of automatic shipments, which have no caller to throw to. */
  autoShipErrors: string[];
}

export interface JasciSandbox {
  /** API root to pass as the client's base URL, e.g. `http://127.0.0.1:50123/JasciRestApi`. */
  baseUrl: string;
  orders: {
    get(orderNumber: string): SandboxOrder | undefined;
    all(): SandboxOrder[];
    /** Every body received for the order, oldest first. */
    history(orderNumber: string): ReceivedVersion[];
  };
  faults: SandboxFaults;
  /** Makes every issued bearer token invalid, so the next call with one gets 401. */
  expireTokens(): void;
  /**
   * Ships the order (all open quantities, or the given lines) and sends one `shipment.closed`
   * event to the webhook, retrying the delivery a few times. Without a webhook the event is only
   * logged in `events`.
   */
  ship(orderNumber: string, lines?: ShipLineRequest[]): Promise<ShipResult>;
  /** Sends any event body (signed like a shipment) to the webhook. */
  sendEvent(body: Record<string, unknown>): Promise<SentEvent>;
  /** Sends an already sent event again with the same raw body and a new signature. */
  redeliver(eventId: string): Promise<SentEvent>;
  /** Sent events with every delivery attempt and the connector's responses, oldest first. */
  readonly events: readonly SentEvent[];
  stats(): JasciSandboxStats;
  stop(): Promise<void>;
}

/** Starts the JASCI API sandbox and warehouse simulator on 127.0.0.1. */
export async function startJasciSandbox(options: JasciSandboxOptions = {}): Promise<JasciSandbox> {
  const now = () => new Date();
  const nowMs = () => Date.now();
  const closing = new AbortController();
  const auth = new SandboxAuth(
    options.apiKey,
    options.credentials,
    options.tokenLifetimeMs ?? 60 * 60 * 1000,
    nowMs,
  );
  const faults = new FaultInjector(nowMs);
  const orders = new OrderStore(now);
  const sender = new WebhookSender(options.webhook, nowMs);
  const warehouse = new Warehouse(orders, sender, options.warehouse, now);
  const stats = { requests: 0, byRoute: {} as Record<string, number> };

  const server = createServer(
    createRequestListener({ auth, faults, orders, warehouse, stats, closing: closing.signal }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    orders: {
      get: (orderNumber) => orders.get(orderNumber),
      all: () => orders.all(),
      history: (orderNumber) => orders.history(orderNumber),
    },
    faults,
    expireTokens: () => auth.expireTokens(),
    ship: (orderNumber, lines) => warehouse.ship(orderNumber, lines),
    sendEvent: (body) => sender.send(body),
    redeliver: (eventId) => sender.redeliver(eventId),
    events: sender.events,
    stats: () => ({
      requests: stats.requests,
      byRoute: { ...stats.byRoute },
      failuresInjected: faults.injected,
      autoShipErrors: [...warehouse.backgroundErrors],
    }),
    stop: async () => {
      closing.abort();
      sender.close();
      await warehouse.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
