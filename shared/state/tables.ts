import {
  TableClient,
  TableServiceClient,
  type TableServiceClientOptions,
} from '@azure/data-tables';
import type { Settings } from '../config/schema';
import { ConfigError } from '../errors';
import { azureCredentialFor, parseConnectionString } from './credential';

/** Table names in the data storage account. */
export const TableName = {
  WarehouseMap: 'WarehouseMap',
  CarrierMap: 'CarrierMap',
  SyncCursors: 'SyncCursors',
  DocumentLedger: 'DocumentLedger',
  EventLedger: 'EventLedger',
  Failures: 'Failures',
  DocumentLocks: 'DocumentLocks',
} as const;
export type TableName = (typeof TableName)[keyof typeof TableName];

type StorageSettings = Pick<
  Settings,
  'DataStorageConnection' | 'DataStorage__tableServiceUri' | 'AZURE_CLIENT_ID'
>;

/**
 * The SDK rejects plain-http endpoints without `allowInsecureConnection`, and Azurite listens
 * on http. The
 * development shortcut `UseDevelopmentStorage=true` is handled by the SDK itself.
 */
function clientOptionsFor(connectionString: string): TableServiceClientOptions {
  const parts = parseConnectionString(connectionString);
  const endpoint = parts.get('tableendpoint');
  const insecure =
    endpoint !== undefined
      ? endpoint.toLowerCase().startsWith('http://')
      : parts.get('defaultendpointsprotocol')?.toLowerCase() === 'http';
  return insecure ? { allowInsecureConnection: true } : {};
}

function tableServiceUri(settings: StorageSettings): string {
  const uri = settings.DataStorage__tableServiceUri;
  if (uri === undefined) {
    throw new ConfigError([
      'DataStorageConnection: missing; set a connection string, or DataStorage__tableServiceUri for a managed identity',
    ]);
  }
  return uri;
}

/**
 * Returns a client for one table: from DataStorageConnection when set, otherwise from
 * DataStorage__tableServiceUri with the managed identity.
 */
export function tableClientFor(settings: StorageSettings, table: string): TableClient {
  const connectionString = settings.DataStorageConnection;
  if (connectionString !== undefined) {
    return TableClient.fromConnectionString(
      connectionString,
      table,
      clientOptionsFor(connectionString),
    );
  }
  return new TableClient(tableServiceUri(settings), table, azureCredentialFor(settings));
}

function tableServiceClientFor(settings: StorageSettings): TableServiceClient {
  const connectionString = settings.DataStorageConnection;
  if (connectionString !== undefined) {
    return TableServiceClient.fromConnectionString(
      connectionString,
      clientOptionsFor(connectionString),
    );
  }
  return new TableServiceClient(tableServiceUri(settings), azureCredentialFor(settings));
}

/** Creates every table in `TableName` that does not exist yet. */
export async function ensureTables(settings: StorageSettings): Promise<void> {
  const service = tableServiceClientFor(settings);
  for (const table of Object.values(TableName)) {
    // createTable succeeds when the table already exists.
    await service.createTable(table);
  }
}
