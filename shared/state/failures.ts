import { randomBytes } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { classifyStorageError, statusOf } from './tableErrors';

export type FailureCategory = 'business' | 'transient' | 'poison';
export type FailureStatus = 'open' | 'replayed' | 'resolved' | 'ignored';

/** A failed message that needs an operator: replay it, or close it as resolved or ignored. */
export interface FailureRecord {
  id: string;
  flow: string;
  kind: string;
  documentKey: string;
  category: FailureCategory;
  code: string;
  message: string;
  /** Name of the archived message in the archive container. */
  blobName: string;
  attempt: number;
  firstSeen: string;
  lastSeen: string;
  correlationId: string;
  status: FailureStatus;
}

export type FailureInput = Omit<FailureRecord, 'id' | 'status' | 'firstSeen' | 'lastSeen'>;

/** A stored row; category and status are plain strings because operators may edit rows by hand. */
type FailureEntity = Omit<FailureRecord, 'id' | 'category' | 'status'> & {
  partitionKey: string;
  rowKey: string;
  category: string;
  status: string;
};

/** Failures are few, so one partition contains them all and a listing is one ordered query. */
const partitionKey = 'failure';
/** Larger than any millisecond timestamp until the year 2286, so inverted ids keep 13 digits. */
const maxTimestamp = 9_999_999_999_999;
const failureStatuses: readonly string[] = ['open', 'replayed', 'resolved', 'ignored'];
const failureCategories: readonly string[] = ['business', 'transient', 'poison'];

/**
 * Returns a new failure id: the inverted creation time in milliseconds, zero-padded, plus random
 * hex. Table Storage lists rows in RowKey order, so listings come newest first.
 */
export function newFailureId(now: Date): string {
  const inverted = String(maxTimestamp - now.getTime()).padStart(13, '0');
  return `${inverted}-${randomBytes(4).toString('hex')}`;
}

function toRecord(entity: FailureEntity): FailureRecord {
  return {
    id: entity.rowKey,
    flow: entity.flow,
    kind: entity.kind,
    documentKey: entity.documentKey,
    category: (failureCategories.includes(entity.category)
      ? entity.category
      : 'poison') as FailureCategory,
    code: entity.code,
    message: entity.message,
    blobName: entity.blobName,
    attempt: Number(entity.attempt),
    firstSeen: entity.firstSeen,
    lastSeen: entity.lastSeen,
    correlationId: entity.correlationId,
    status: (failureStatuses.includes(entity.status) ? entity.status : 'open') as FailureStatus,
  };
}

function byId(a: FailureRecord, b: FailureRecord): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function toEntity(record: FailureRecord): FailureEntity {
  const { id, ...fields } = record;
  return { ...fields, partitionKey, rowKey: id };
}

/** The Failures table: one row per failure that an operator has to look at. */
/** Characters of the ids that newFailureId makes. */
const failureIdPattern = /^[A-Za-z0-9_-]{1,200}$/;

export class Failures {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records a failure as 'open'. A repeat of an open failure (same flow, kind, document key and
   * code) updates that row's lastSeen, attempt, message, blob name and correlation id instead of
   * adding a row, so a document failing again and again stays one row.
   */
  async record(input: FailureInput): Promise<FailureRecord> {
    const seenAt = this.now().toISOString();
    const repeated = await this.findOpen(input);
    if (repeated !== undefined) {
      const { etag, ...previous } = repeated;
      const updated: FailureRecord = { ...previous, ...input, lastSeen: seenAt };
      try {
        await this.client.updateEntity(toEntity(updated), 'Replace', { etag });
        return updated;
      } catch (error) {
        // Another worker updated or closed the row meanwhile; a separate row loses nothing.
        if (statusOf(error) !== 412 && statusOf(error) !== 404) {
          throw classifyStorageError(error, `update Failures row ${repeated.id}`);
        }
      }
    }
    const record: FailureRecord = {
      ...input,
      id: newFailureId(this.now()),
      firstSeen: seenAt,
      lastSeen: seenAt,
      status: 'open',
    };
    try {
      await this.client.createEntity(toEntity(record));
    } catch (error) {
      throw classifyStorageError(
        error,
        `create Failures row for ${input.flow}/${input.documentKey}`,
      );
    }
    return record;
  }

  /** Lists failures, newest first, optionally only those with the given status and flow. */
  async list(filter: { status?: FailureStatus; flow?: string } = {}): Promise<FailureRecord[]> {
    const clauses = [odata`PartitionKey eq ${partitionKey}`];
    if (filter.status !== undefined) clauses.push(odata`status eq ${filter.status}`);
    if (filter.flow !== undefined) clauses.push(odata`flow eq ${filter.flow}`);
    const records: FailureRecord[] = [];
    try {
      const entities = this.client.listEntities<FailureEntity>({
        queryOptions: { filter: clauses.join(' and ') },
      });
      for await (const entity of entities) records.push(toRecord(entity));
    } catch (error) {
      throw classifyStorageError(error, 'list Failures rows');
    }
    return records.sort(byId);
  }

  async get(id: string): Promise<FailureRecord | undefined> {
    // Only newFailureId makes ids, so any other string is not a row. Table Storage rejects some
    // characters in keys with a server error, not 404, so they must not reach it.
    if (!failureIdPattern.test(id)) return undefined;
    const found = await this.getWithEtag(id);
    if (found === undefined) return undefined;
    const record: FailureRecord & { etag?: string } = { ...found };
    delete record.etag;
    return record;
  }

  /** Sets the status of failure `id`; throws when there is no such failure. */
  async setStatus(id: string, status: FailureStatus): Promise<void> {
    try {
      await this.client.updateEntity({ partitionKey, rowKey: id, status }, 'Merge');
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new Error(`Failure ${id} not found; list the failures to get a valid id`, {
          cause: error,
        });
      }
      throw classifyStorageError(error, `update status of Failures row ${id}`);
    }
  }

  private async getWithEtag(id: string): Promise<(FailureRecord & { etag: string }) | undefined> {
    try {
      const entity = await this.client.getEntity<FailureEntity>(partitionKey, id);
      return { ...toRecord(entity), etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw classifyStorageError(error, `read Failures row ${id}`);
    }
  }

  private async findOpen(
    input: FailureInput,
  ): Promise<(FailureRecord & { etag: string }) | undefined> {
    const filter =
      odata`PartitionKey eq ${partitionKey} and status eq 'open' and flow eq ${input.flow}` +
      odata` and kind eq ${input.kind} and documentKey eq ${input.documentKey} and code eq ${input.code}`;
    try {
      const entities = this.client.listEntities<FailureEntity>({ queryOptions: { filter } });
      for await (const entity of entities) return { ...toRecord(entity), etag: entity.etag };
    } catch (error) {
      throw classifyStorageError(error, 'query open Failures rows');
    }
    return undefined;
  }
}
