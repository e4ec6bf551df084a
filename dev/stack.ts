import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { functionTable } from '../functions/all';
import { setRuntimeLogger } from '../shared/runtime';
import type { Logger } from '../shared/logging';
import { startAzurite, type AzuriteInstance } from './azurite';
import { startBcSandbox, type BcSandbox } from './bc-sandbox';
import { startLocalHost, type HostLogListener, type LocalHost } from './host';
import { startJasciSandbox, type JasciSandbox, type WarehouseOptions } from './jasci-sandbox';
import { startServiceBusEmulator, type ServiceBusEmulator } from './servicebus';

export interface StackOptions {
  /** NCRONTAB schedule of the sales order poller. */
  pollSchedule: string;
  /** Seconds before attempts 2, 3, ..., as RETRY_DELAYS_SECONDS takes them. */
  retryDelaysSeconds: readonly number[];
  warehouse: WarehouseOptions;
  /** Receives every log entry of the function handlers. */
  log?: HostLogListener;
  /** Receives log entries written outside an invocation (BC client, alerts). */
  processLog?: Logger;
  /** Settings that override the stack's own. */
  env?: Record<string, string>;
  /** Called after the sandboxes start and before the connector runs, to seed data. */
  seed?: (stack: Omit<LocalStack, 'host' | 'stop'>) => Promise<void>;
}

export interface LocalStack {
  azurite: AzuriteInstance;
  serviceBus: ServiceBusEmulator;
  bc: BcSandbox;
  jasci: JasciSandbox;
  host: LocalHost;
  /** The app settings the connector runs with. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Returns a free TCP port on 127.0.0.1, so the JASCI sandbox can get the webhook URL first. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('No free port found');
  return address.port;
}

/** Returns a random secret that lives only as long as this local stack. */
function ephemeralSecret(): string {
  return randomBytes(24).toString('hex');
}

/**
 * Starts everything the connector needs on 127.0.0.1 (Azurite, the Service Bus emulator, the BC
 * and JASCI sandboxes) and then the connector itself through the local host. The secrets are
 * random per run, so none is stored anywhere.
 */
export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    const azurite = await startAzurite();
    started.push(azurite);
    const queueOptions = {
      maxDeliveryCount: 5,
      lockDurationMs: 120_000,
      duplicateDetectionWindowMs: 3_600_000,
    };
    const serviceBus = await startServiceBusEmulator({
      queues: [
        { name: 'to-jasci', ...queueOptions },
        { name: 'to-bc', ...queueOptions },
      ],
    });
    started.push(serviceBus);

    const bcIdentity = {
      tenantId: randomUUID(),
      environment: 'Sandbox',
      companyId: randomUUID(),
      clientId: randomUUID(),
      clientSecret: ephemeralSecret(),
    };
    const bc = await startBcSandbox(bcIdentity);
    started.push(bc);

    const hostPort = await freePort();
    const jasciApiKey = ephemeralSecret();
    const signingSecret = ephemeralSecret();
    const jasci = await startJasciSandbox({
      apiKey: jasciApiKey,
      webhook: { url: `http://127.0.0.1:${hostPort}/api/jasci/events`, signingSecret },
      warehouse: options.warehouse,
    });
    started.push(jasci);

    const env: Record<string, string> = {
      ServiceBusConnection: serviceBus.connectionString,
      DataStorageConnection: azurite.connectionString,
      BC_API_BASE_URL: bc.apiBaseUrl,
      BC_AUTHORITY_HOST: bc.authorityHost,
      BC_TENANT_ID: bcIdentity.tenantId,
      BC_ENVIRONMENT: bcIdentity.environment,
      BC_COMPANY_ID: bcIdentity.companyId,
      BC_CLIENT_ID: bcIdentity.clientId,
      BC_CLIENT_SECRET: bcIdentity.clientSecret,
      BC_REQUEST_TIMEOUT_SECONDS: '20',
      JASCI_BASE_URL: jasci.baseUrl,
      JASCI_API_KEY: jasciApiKey,
      JASCI_REQUEST_TIMEOUT_SECONDS: '10',
      JASCI_WEBHOOK_SIGNING_SECRET: signingSecret,
      SALES_ORDER_POLL_SCHEDULE: options.pollSchedule,
      RETRY_DELAYS_SECONDS: options.retryDelaysSeconds.join(','),
      ...options.env,
    };

    await options.seed?.({ azurite, serviceBus, bc, jasci, env });

    if (options.processLog) setRuntimeLogger(options.processLog);
    const host = await startLocalHost({
      functions: functionTable,
      env,
      port: hostPort,
      log: options.log,
    });
    started.push(host);
    return { azurite, serviceBus, bc, jasci, host, env, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
