import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { failureArchiveName } from '../../../shared/archive/failureArchive';
import { BusinessError } from '../../../shared/errors';
import { testSettings, useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

describe('BlobStore', () => {
  let store: BlobStore;

  beforeAll(() => {
    store = new BlobStore(containerClientFor(azurite.settings));
  });

  it('writes and reads JSON, creating the container', async () => {
    const value = { order: 'SO-1', lines: [{ quantity: 2 }], note: 'Ünïcode' };
    await expect(store.putJson('a/b/c.json', value)).resolves.toBe('a/b/c.json');
    await expect(store.getJson('a/b/c.json')).resolves.toEqual(value);
  });

  it('stores JSON with its content type', async () => {
    await store.putJson('typed.json', [1, 2]);
    const properties = await containerClientFor(azurite.settings)
      .getBlockBlobClient('typed.json')
      .getProperties();
    expect(properties.contentType).toBe('application/json');
  });

  it('replaces a blob of the same name', async () => {
    await store.putJson('same.json', { v: 1 });
    await store.putJson('same.json', { v: 2 });
    await expect(store.getJson('same.json')).resolves.toEqual({ v: 2 });
  });

  it('raises INVALID_PAYLOAD for a missing blob', async () => {
    const error = await store.getJson('missing.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).code).toBe('INVALID_PAYLOAD');
    expect((error as BusinessError).message).toContain('missing.json');
  });

  it('uses the configured archive container', () => {
    const settings = testSettings({
      DataStorageConnection: azurite.instance.connectionString,
      ARCHIVE_CONTAINER: 'other-archive',
    });
    expect(containerClientFor(settings).containerName).toBe('other-archive');
  });
});

describe('failureArchiveName', () => {
  it('groups by flow and day and encodes the id', () => {
    const name = failureArchiveName(
      'salesOrders',
      new Date('2024-05-01T23:59:59Z'),
      'salesOrder.upsert:SO/1:v1',
    );
    expect(name).toBe('failures/salesOrders/2024-05-01/salesOrder.upsert%3ASO%2F1%3Av1.json');
  });
});
