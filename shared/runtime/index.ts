import type { ServiceBusClient } from '@azure/service-bus';
import type { Settings } from '../config/schema';
import { settings as loadProcessSettings } from '../config/load';
import { LogAlerter, type Alerter } from '../alerts/alert';
import { BlobStore, containerClientFor } from '../archive/blobStore';
import { BcClient } from '../bc/client';
import { JasciClient } from '../jasci/client';
import { consoleLogger, type Logger } from '../logging';
import { QueueSender, serviceBusClientFor } from '../messaging/queues';
import { DocumentLedger } from '../state/documentLedger';
import { DocumentLocks } from '../state/documentLocks';
import { EventLedger } from '../state/eventLedger';
import { Failures } from '../state/failures';
import { SyncCursors } from '../state/syncCursors';
import { ensureTables, tableClientFor, TableName } from '../state/tables';
import { WarehouseMap } from '../state/warehouseMap';

/**
 * The clients and stores one process shares across invocations. Building them is cheap, but the
 * Service Bus connection, the BC token cache and the BC request limiter must be shared, so every
 * function takes them from here instead of creating its own.
 */
export interface Runtime {
  settings: Settings;
  serviceBus: ServiceBusClient;
  toJasci: QueueSender;
  toBc: QueueSender;
  store: BlobStore;
  bc: BcClient;
  jasci: JasciClient;
  documentLedger: DocumentLedger;
  documentLocks: DocumentLocks;
  eventLedger: EventLedger;
  warehouseMap: WarehouseMap;
  cursors: SyncCursors;
  failures: Failures;
  alerter: Alerter;
  /** Creates the tables and the archive container when missing; idempotent. */
  ready: Promise<void>;
}

let processLogger: Logger = consoleLogger;

/**
 * Sets the logger for work outside an invocation (BC client request failures, alerts). The
 * default writes JSON lines to stdout and stderr; the local host sends them to its own listener.
 */
export function setRuntimeLogger(log: Logger): void {
  processLogger = log;
}

function buildRuntime(s: Settings): Runtime {
  const serviceBus = serviceBusClientFor(s);
  const container = containerClientFor(s);
  const store = new BlobStore(container);
  const threshold = s.CLAIM_CHECK_THRESHOLD_BYTES;
  const ready = Promise.all([ensureTables(s), container.createIfNotExists()]).then(() => undefined);
  return {
    settings: s,
    serviceBus,
    toJasci: new QueueSender(serviceBus.createSender(s.QUEUE_TO_JASCI), store, threshold),
    toBc: new QueueSender(serviceBus.createSender(s.QUEUE_TO_BC), store, threshold),
    store,
    bc: BcClient.fromSettings(s, processLogger),
    jasci: JasciClient.fromSettings(s, processLogger),
    documentLedger: new DocumentLedger(tableClientFor(s, TableName.DocumentLedger)),
    documentLocks: new DocumentLocks(tableClientFor(s, TableName.DocumentLocks)),
    eventLedger: new EventLedger(tableClientFor(s, TableName.EventLedger)),
    warehouseMap: new WarehouseMap(tableClientFor(s, TableName.WarehouseMap)),
    cursors: new SyncCursors(tableClientFor(s, TableName.SyncCursors)),
    failures: new Failures(tableClientFor(s, TableName.Failures)),
    alerter: new LogAlerter(processLogger),
    ready,
  };
}

let current: Runtime | undefined;

/** Returns this process's runtime, building it from the settings on first use. */
export async function runtime(): Promise<Runtime> {
  current ??= buildRuntime(loadProcessSettings());
  await current.ready;
  return current;
}

/** Closes the Service Bus connection and drops the runtime; the local host calls this on stop. */
export async function closeRuntime(): Promise<void> {
  const closing = current;
  current = undefined;
  if (closing) await closing.serviceBus.close();
}
