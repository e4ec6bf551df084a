import { TransientError } from '../../../shared/errors';
import { SyncCursors } from '../../../shared/state/syncCursors';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

describe('SyncCursors', () => {
  let cursors: SyncCursors;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    cursors = new SyncCursors(tableClientFor(azurite.settings, TableName.SyncCursors));
  });

  it('returns undefined for a new cursor', async () => {
    await expect(cursors.get('salesOrders')).resolves.toBeUndefined();
  });

  it('creates, reads and advances a cursor', async () => {
    const createdEtag = await cursors.set('purchaseOrders', '2024-05-01T00:00:00Z');
    const created = await cursors.get('purchaseOrders');
    expect(created).toEqual({ value: '2024-05-01T00:00:00Z', etag: createdEtag });

    await cursors.set('purchaseOrders', '2024-05-02T00:00:00Z', createdEtag);
    const advanced = await cursors.get('purchaseOrders');
    expect(advanced?.value).toBe('2024-05-02T00:00:00Z');
  });

  it('rejects a stale etag with CONFLICT', async () => {
    const etag = await cursors.set('items', 'a');
    await cursors.set('items', 'b', etag);
    const error = await cursors.set('items', 'c', etag).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('CONFLICT');
    await expect(cursors.get('items')).resolves.toMatchObject({ value: 'b' });
  });

  it('rejects creating an existing cursor with CONFLICT', async () => {
    await cursors.set('vendors', 'a');
    const error = await cursors.set('vendors', 'b').catch((e: unknown) => e);
    expect((error as TransientError).code).toBe('CONFLICT');
  });
});
