/**
 * In-process Azurite (Blob and Table services) for the local stack and the tests.
 *
 * Azurite has no public API for this, so the servers are loaded through deep requires into its
 * `dist/` folder. These are internals of azurite 3.35.0, which package.json pins exactly.
 */

/** The well-known account and key of every Azure Storage emulator; not a secret. */
export const devAccountName = 'devstoreaccount1';
export const devAccountKey =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteInstance {
  /** Explicit connection string with http endpoints on 127.0.0.1. */
  connectionString: string;
  blobEndpoint: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Returns `http://host:port`, or '' before the server listens. */
  getHttpServerAddress(): string;
}
type ServerConstructor = new (configuration: unknown) => AzuriteServer;
type BlobConfigurationConstructor = new (...args: unknown[]) => unknown;
type TableConfigurationConstructor = new (...args: unknown[]) => unknown;
interface TelemetryClient {
  init(location: string, enableTelemetry: boolean, env: unknown): void;
}

interface AzuriteModules {
  BlobServer: ServerConstructor;
  BlobConfiguration: BlobConfigurationConstructor;
  TableServer: ServerConstructor;
  TableConfiguration: TableConfigurationConstructor;
  MemoryExtentChunkStore: new (sizeLimit: number) => unknown;
  telemetry: TelemetryClient;
}

/* eslint-disable @typescript-eslint/no-require-imports */
function loadAzurite(): AzuriteModules {
  const dist = 'azurite/dist/src';
  return {
    BlobServer: require(`${dist}/blob/BlobServer`).default,
    BlobConfiguration: require(`${dist}/blob/BlobConfiguration`).default,
    TableServer: require(`${dist}/table/TableServer`).default,
    TableConfiguration: require(`${dist}/table/TableConfiguration`).default,
    MemoryExtentChunkStore: require(`${dist}/common/persistence/MemoryExtentStore`)
      .MemoryExtentChunkStore,
    telemetry: require(`${dist}/common/Telemetry`).AzuriteTelemetryClient,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

const host = '127.0.0.1';
const keepAliveTimeoutSeconds = 5;
/** Upper bound for blob contents held in memory by one instance; an emulator for tests needs little. */
const blobMemoryLimitBytes = 512 * 1024 * 1024;

let instanceCount = 0;

function blobConfiguration(modules: AzuriteModules, name: string): unknown {
  // Positional arguments of BlobConfiguration in azurite 3.35.0.
  return new modules.BlobConfiguration(
    host,
    0, // port: any free port
    keepAliveTimeoutSeconds,
    `${name}-blob.json`, // metadata DB name; nothing is written in memory mode
    `${name}-blob-extent.json`,
    [], // persistence paths: unused in memory mode
    false, // access log
    undefined,
    false, // debug log
    undefined,
    false, // loose
    true, // skipApiVersionCheck: @azure/storage-blob 12.32.0 sends a newer x-ms-version than 3.35.0 accepts
    '', // cert
    '', // key
    '', // pwd
    undefined, // oauth
    false, // disableProductStyleUrl
    true, // in-memory persistence
    new modules.MemoryExtentChunkStore(blobMemoryLimitBytes),
  );
}

function tableConfiguration(modules: AzuriteModules, name: string): unknown {
  // Positional arguments of TableConfiguration in azurite 3.35.0 (debug log comes before access log).
  return new modules.TableConfiguration(
    host,
    0,
    keepAliveTimeoutSeconds,
    `${name}-table.json`,
    false, // debug log
    false, // access log
    undefined,
    undefined,
    false, // loose
    true, // skipApiVersionCheck
    '',
    '',
    '',
    undefined,
    false,
    true, // in-memory persistence
  );
}

/**
 * Starts Azurite's Blob and Table services on free ports of 127.0.0.1, in memory, and returns an
 * explicit connection string for them.
 *
 * Telemetry: Azurite's Application Insights client only sends when its `init` runs with telemetry
 * enabled, which only Azurite's command-line entry points do. This function also calls `init` with
 * telemetry disabled, so a request counter never sends even if another caller enabled it.
 */
export async function startAzurite(): Promise<AzuriteInstance> {
  const modules = loadAzurite();
  modules.telemetry.init('', false, undefined);

  instanceCount += 1;
  const name = `azurite-${process.pid}-${instanceCount}`;
  const blob = new modules.BlobServer(blobConfiguration(modules, name));
  const table = new modules.TableServer(tableConfiguration(modules, name));
  await blob.start();
  try {
    await table.start();
  } catch (error) {
    await blob.close();
    throw error;
  }

  const blobEndpoint = `${blob.getHttpServerAddress()}/${devAccountName}`;
  const tableEndpoint = `${table.getHttpServerAddress()}/${devAccountName}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${devAccountName};AccountKey=${devAccountKey};` +
    `BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`;

  let stopped = false;
  return {
    connectionString,
    blobEndpoint,
    tableEndpoint,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([blob.close(), table.close()]);
    },
  };
}
