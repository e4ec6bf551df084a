import type { TableClient } from '@azure/data-tables';
import { classifyStorageError, statusOf } from './tableErrors';
import { encodeTableKey } from './keys';

interface LockEntity {
  partitionKey: string;
  rowKey: string;
  /** The lock key before encoding, because a long encoded key cannot be decoded. */
  key: string;
  owner: string;
  /** ISO timestamp after which another owner may take the lease over. */
  expiresAt: string;
  /**
   * True when the owner ended an attempt without knowing its outcome and kept the lease for its
   * retry: only then may the same owner acquire it again before it expires.
   */
  heldForRetry?: boolean;
}

/** Every key is its own partition, so leases on different documents never contend. */
const rowKey = 'lock';

/**
 * Leases on BC documents in Table Storage, so that only one worker at a time changes a document.
 * A lease is a row that names its owner and its expiry. A worker that crashes while holding one
 * leaves the row behind, and the next owner takes it over once `expiresAt` has passed.
 */
export class DocumentLocks {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Acquires the lease on `key` for `ttlMs` milliseconds and returns true, or returns false while
   * the lease is held and not expired. That includes a lease held by the same owner, because two
   * deliveries of one message can run at once, unless the owner kept it with `holdForRetry`. Storage errors other than a lost race are thrown,
   * classified by `classifyStorageError`.
   */
  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const entity: LockEntity = {
      partitionKey: encodeTableKey(key),
      rowKey,
      key,
      owner,
      expiresAt: new Date(this.now().getTime() + ttlMs).toISOString(),
    };
    // Two rounds: a lease released between the failed create and the read is created again once.
    for (let round = 0; round < 2; round++) {
      if (await this.create(entity)) return true;
      const existing = await this.read(key);
      if (existing === undefined) continue;
      const ownRetry = existing.owner === owner && existing.heldForRetry === true;
      if (!ownRetry && !this.hasExpired(existing)) return false;
      return this.takeOver(entity, existing.etag);
    }
    return false;
  }

  /**
   * Keeps the lease on `key` for `ttlMs` more milliseconds for the retry of `owner`, which alone
   * may acquire it again before then. Returns false when `owner` no longer holds the lease.
   */
  async holdForRetry(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const existing = await this.read(key);
    if (existing === undefined || existing.owner !== owner) return false;
    const entity: LockEntity = {
      partitionKey: existing.partitionKey,
      rowKey,
      key,
      owner,
      expiresAt: new Date(this.now().getTime() + ttlMs).toISOString(),
      heldForRetry: true,
    };
    return this.takeOver(entity, existing.etag);
  }

  /**
   * Releases the lease on `key` if `owner` still holds it. A missing lease, or one that another
   * owner took over after it expired, is left as it is.
   */
  async release(key: string, owner: string): Promise<void> {
    const existing = await this.read(key);
    if (existing === undefined || existing.owner !== owner) return;
    try {
      await this.client.deleteEntity(existing.partitionKey, rowKey, { etag: existing.etag });
    } catch (error) {
      // 404: already gone. 412: another owner took the lease over after the read.
      const status = statusOf(error);
      if (status === 404 || status === 412) return;
      throw classifyStorageError(error, `delete DocumentLocks row ${key}`);
    }
  }

  /** Creates the lease row; returns false when the row exists already. */
  private async create(entity: LockEntity): Promise<boolean> {
    try {
      await this.client.createEntity(entity);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw classifyStorageError(error, `create DocumentLocks row ${entity.key}`);
    }
  }

  private async read(key: string): Promise<(LockEntity & { etag: string }) | undefined> {
    try {
      return await this.client.getEntity<LockEntity>(encodeTableKey(key), rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw classifyStorageError(error, `read DocumentLocks row ${key}`);
    }
  }

  /** An unreadable `expiresAt` counts as expired, so a damaged row cannot block a key forever. */
  private hasExpired(entity: LockEntity): boolean {
    const expiresAt = Date.parse(entity.expiresAt);
    return Number.isNaN(expiresAt) || expiresAt <= this.now().getTime();
  }

  /** Replaces a lease row; returns false when another owner replaced or deleted it first. */
  private async takeOver(entity: LockEntity, etag: string): Promise<boolean> {
    try {
      await this.client.updateEntity(entity, 'Replace', { etag });
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 412) return false;
      throw classifyStorageError(error, `take over DocumentLocks row ${entity.key}`);
    }
  }
}
