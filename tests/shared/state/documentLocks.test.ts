import type { TableClient } from '@azure/data-tables';
import { DocumentLocks } from '../../../shared/state/documentLocks';
import { encodeTableKey } from '../../../shared/state/keys';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();
const minute = 60_000;

describe('DocumentLocks', () => {
  let client: TableClient;
  let locks: DocumentLocks;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    client = tableClientFor(azurite.settings, TableName.DocumentLocks);
    locks = new DocumentLocks(client);
  });

  async function ownerOf(key: string): Promise<string | undefined> {
    const entity = await client
      .getEntity<{ owner: string }>(encodeTableKey(key), 'lock')
      .catch(() => undefined);
    return entity?.owner;
  }

  it('acquires and releases a lease', async () => {
    await expect(locks.acquire('salesOrder:SO-1', 'evt-1', 5 * minute)).resolves.toBe(true);
    expect(await ownerOf('salesOrder:SO-1')).toBe('evt-1');

    await locks.release('salesOrder:SO-1', 'evt-1');

    expect(await ownerOf('salesOrder:SO-1')).toBeUndefined();
    await expect(locks.acquire('salesOrder:SO-1', 'evt-2', 5 * minute)).resolves.toBe(true);
    expect(await ownerOf('salesOrder:SO-1')).toBe('evt-2');
  });

  it('rejects another owner while held', async () => {
    await locks.acquire('salesOrder:SO-2', 'evt-1', 5 * minute);

    await expect(locks.acquire('salesOrder:SO-2', 'evt-2', 5 * minute)).resolves.toBe(false);
    expect(await ownerOf('salesOrder:SO-2')).toBe('evt-1');
  });

  it('rejects the same owner while held', async () => {
    await locks.acquire('salesOrder:SO-3', 'evt-1', 5 * minute);

    await expect(locks.acquire('salesOrder:SO-3', 'evt-1', 5 * minute)).resolves.toBe(false);
  });

  it('takes over an expired lease', async () => {
    let now = new Date('2026-12-03T10:00:00Z');
    const clocked = new DocumentLocks(client, () => now);
    await clocked.acquire('salesOrder:SO-4', 'evt-crashed', 5 * minute);

    now = new Date('2026-12-03T10:04:59Z');
    await expect(clocked.acquire('salesOrder:SO-4', 'evt-2', 5 * minute)).resolves.toBe(false);

    now = new Date('2026-12-03T10:05:00Z');
    await expect(clocked.acquire('salesOrder:SO-4', 'evt-2', 5 * minute)).resolves.toBe(true);
    expect(await ownerOf('salesOrder:SO-4')).toBe('evt-2');

    // The crashed owner's late release must not end the new owner's lease.
    await clocked.release('salesOrder:SO-4', 'evt-crashed');
    expect(await ownerOf('salesOrder:SO-4')).toBe('evt-2');
  });

  it('lets one of two concurrent takeovers win', async () => {
    let now = new Date('2026-12-03T10:00:00Z');
    const clocked = new DocumentLocks(client, () => now);
    await clocked.acquire('salesOrder:SO-5', 'evt-crashed', minute);
    now = new Date('2026-12-03T10:02:00Z');

    const results = await Promise.all([
      clocked.acquire('salesOrder:SO-5', 'evt-a', minute),
      clocked.acquire('salesOrder:SO-5', 'evt-b', minute),
    ]);

    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'evt-a' : 'evt-b';
    expect(await ownerOf('salesOrder:SO-5')).toBe(winner);
  });

  it('grants a free key to one of two concurrent calls', async () => {
    const results = await Promise.all([
      locks.acquire('salesOrder:SO-6', 'evt-a', 5 * minute),
      locks.acquire('salesOrder:SO-6', 'evt-b', 5 * minute),
    ]);

    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results[0] ? 'evt-a' : 'evt-b';
    expect(await ownerOf('salesOrder:SO-6')).toBe(winner);
  });

  it('keeps the lease when another owner releases', async () => {
    await locks.acquire('salesOrder:SO-7', 'evt-1', 5 * minute);

    await locks.release('salesOrder:SO-7', 'evt-2');

    expect(await ownerOf('salesOrder:SO-7')).toBe('evt-1');
    await expect(locks.acquire('salesOrder:SO-7', 'evt-2', 5 * minute)).resolves.toBe(false);
  });

  it('ignores the release of a missing lease', async () => {
    await expect(locks.release('salesOrder:SO-NONE', 'evt-1')).resolves.toBeUndefined();
  });

  it('encodes keys that Table Storage rejects', async () => {
    const key = 'salesOrder:SO/8#?';
    await expect(locks.acquire(key, 'evt-1', 5 * minute)).resolves.toBe(true);
    expect(await ownerOf(key)).toBe('evt-1');
    await locks.release(key, 'evt-1');
    expect(await ownerOf(key)).toBeUndefined();
  });
  it('lets only the owner back after holdForRetry', async () => {
    await expect(locks.acquire('order:HOLD', 'owner-a', 60_000)).resolves.toBe(true);
    await expect(locks.holdForRetry('order:HOLD', 'owner-a', 60_000)).resolves.toBe(true);

    await expect(locks.acquire('order:HOLD', 'owner-b', 60_000)).resolves.toBe(false);
    await expect(locks.acquire('order:HOLD', 'owner-a', 60_000)).resolves.toBe(true);
    // Re-acquired, the lease is an ordinary one again: a second delivery is refused.
    await expect(locks.acquire('order:HOLD', 'owner-a', 60_000)).resolves.toBe(false);
  });

  it('refuses holdForRetry to a non-owner', async () => {
    await expect(locks.acquire('order:HOLD2', 'owner-a', 60_000)).resolves.toBe(true);
    await expect(locks.holdForRetry('order:HOLD2', 'owner-b', 60_000)).resolves.toBe(false);
    await expect(locks.acquire('order:HOLD2', 'owner-b', 60_000)).resolves.toBe(false);
  });
});
