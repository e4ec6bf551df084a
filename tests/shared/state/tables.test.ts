import { TableServiceClient } from '@azure/data-tables';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { testSettings, useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

describe('ensureTables', () => {
  it('creates every table and can run twice', async () => {
    await ensureTables(azurite.settings);
    await ensureTables(azurite.settings);
    const service = TableServiceClient.fromConnectionString(azurite.instance.connectionString, {
      allowInsecureConnection: true,
    });
    const names: string[] = [];
    for await (const table of service.listTables()) names.push(table.name ?? '');
    expect(names.sort()).toEqual(Object.values(TableName).sort());
  });
});

describe('tableClientFor', () => {
  it('uses the table endpoint of the connection string', () => {
    const client = tableClientFor(azurite.settings, TableName.Failures);
    expect(client.url).toBe(azurite.instance.tableEndpoint);
    expect(client.tableName).toBe('Failures');
  });

  it('uses the service URI when there is no connection string', () => {
    const settings = testSettings({
      DataStorageConnection: undefined,
      DataStorage__tableServiceUri: 'https://example.table.core.windows.net',
      DataStorage__blobServiceUri: 'https://example.blob.core.windows.net',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000000aa',
    });
    const client = tableClientFor(settings, TableName.WarehouseMap);
    expect(client.url).toBe('https://example.table.core.windows.net');
  });
});
