import dns from 'node:dns';
import net from 'node:net';
import { BlobServiceClient } from '@azure/storage-blob';
import { TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteInstance } from '../../dev/azurite';

describe('startAzurite', () => {
  let azurite: AzuriteInstance;
  const connectTargets: string[] = [];
  const lookups: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored unchanged in afterAll
  const originalConnect = net.Socket.prototype.connect;
  const originalLookup = dns.lookup;

  beforeAll(async () => {
    // Record every outgoing connection and DNS lookup while Azurite runs and serves requests.
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      // Node passes internal calls as one normalised array [options, callback].
      const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
      const second: unknown = Array.isArray(args[0]) ? undefined : args[1];
      const host =
        typeof first === 'object' && first !== null
          ? (first as { host?: string }).host
          : typeof second === 'string'
            ? second
            : undefined;
      connectTargets.push(host ?? '(default host)');
      return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
    };
    (dns as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) => {
      lookups.push(hostname);
      return (originalLookup as (...a: unknown[]) => unknown)(hostname, ...rest);
    };
    azurite = await startAzurite();
  });

  afterAll(async () => {
    await azurite.stop();
    net.Socket.prototype.connect = originalConnect;
    (dns as { lookup: unknown }).lookup = originalLookup;
  });

  it('returns explicit loopback endpoints', () => {
    expect(azurite.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(azurite.tableEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(azurite.connectionString).toContain(`BlobEndpoint=${azurite.blobEndpoint};`);
    expect(azurite.connectionString).toContain(`TableEndpoint=${azurite.tableEndpoint};`);
    expect(azurite.connectionString).toMatch(
      /^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;/,
    );
  });

  it('serves blobs with the current storage-blob SDK', async () => {
    const container = BlobServiceClient.fromConnectionString(
      azurite.connectionString,
    ).getContainerClient('smoke-test');
    await container.createIfNotExists();
    await container.getBlockBlobClient('a.txt').upload('hello', 5);
    const content = await container.getBlockBlobClient('a.txt').downloadToBuffer();
    expect(content.toString()).toBe('hello');
  });

  it('serves tables over http', async () => {
    const table = TableClient.fromConnectionString(azurite.connectionString, 'Smoke', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    const entity = await table.getEntity<{ value: number }>('p', 'r');
    expect(entity.value).toBe(42);
  });

  it('connects only to 127.0.0.1', () => {
    expect(connectTargets.length).toBeGreaterThan(0);
    expect(connectTargets.filter((host) => host !== '127.0.0.1')).toEqual([]);
    expect(lookups.filter((host) => host !== '127.0.0.1' && host !== 'localhost')).toEqual([]);
  });

  it('keeps instances apart', async () => {
    const other = await startAzurite();
    try {
      expect(other.blobEndpoint).not.toBe(azurite.blobEndpoint);
      const containers = BlobServiceClient.fromConnectionString(
        other.connectionString,
      ).listContainers();
      const names: string[] = [];
      for await (const container of containers) names.push(container.name);
      expect(names).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});
