import type { TableClient } from '@azure/data-tables';
import { TransientError } from '../errors';
import { classifyStorageError, statusOf } from './tableErrors';
import { encodeTableKey } from './keys';

export type EventState = 'received' | 'posting' | 'posted' | 'failed';

/** Inbound state of one JASCI event. */
export interface EventLedgerRow {
  eventId: string;
  kind: string;
  documentKey: string;
  state: EventState;
  /** Expected BC line quantities after posting (line key → quantity), recorded before posting. */
  expected?: Record<string, number>;
  bcDocumentNumber?: string;
  failureCode?: string;
  updatedAt: string;
  etag?: string;
}

interface EventLedgerEntity {
  partitionKey: string;
  rowKey: string;
  eventId: string;
  kind: string;
  documentKey: string;
  state: string;
  expected?: string;
  bcDocumentNumber?: string;
  failureCode?: string;
  updatedAt: string;
}

/** Every event is its own partition, so event writes never contend with each other. */
const rowKey = 'event';
const eventStates: readonly string[] = ['received', 'posting', 'posted', 'failed'];

function toRow(entity: EventLedgerEntity & { etag?: string }): EventLedgerRow {
  const row: EventLedgerRow = {
    eventId: entity.eventId,
    kind: entity.kind,
    documentKey: entity.documentKey,
    state: (eventStates.includes(entity.state) ? entity.state : 'received') as EventState,
    updatedAt: entity.updatedAt,
    etag: entity.etag,
  };
  if (entity.expected !== undefined) {
    row.expected = JSON.parse(entity.expected) as Record<string, number>;
  }
  if (entity.bcDocumentNumber !== undefined) row.bcDocumentNumber = entity.bcDocumentNumber;
  if (entity.failureCode !== undefined) row.failureCode = entity.failureCode;
  return row;
}

function toEntity(row: EventLedgerRow): EventLedgerEntity {
  const entity: EventLedgerEntity = {
    partitionKey: encodeTableKey(row.eventId),
    rowKey,
    eventId: row.eventId,
    kind: row.kind,
    documentKey: row.documentKey,
    state: row.state,
    updatedAt: row.updatedAt,
  };
  if (row.expected !== undefined) entity.expected = JSON.stringify(row.expected);
  if (row.bcDocumentNumber !== undefined) entity.bcDocumentNumber = row.bcDocumentNumber;
  if (row.failureCode !== undefined) entity.failureCode = row.failureCode;
  return entity;
}

/** One row per JASCI event id, moving through received → posting → posted (or failed). */
export class EventLedger {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(eventId: string): Promise<EventLedgerRow | undefined> {
    try {
      const entity = await this.client.getEntity<EventLedgerEntity>(
        encodeTableKey(eventId),
        rowKey,
      );
      return toRow(entity);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw classifyStorageError(error, `read EventLedger row ${eventId}`);
    }
  }

  /** Creates the row in state 'received', or returns the existing row for a repeated event. */
  async begin(
    eventId: string,
    input: { kind: string; documentKey: string },
  ): Promise<EventLedgerRow> {
    const row: EventLedgerRow = {
      eventId,
      kind: input.kind,
      documentKey: input.documentKey,
      state: 'received',
      updatedAt: this.now().toISOString(),
    };
    try {
      const response = await this.client.createEntity(toEntity(row));
      return { ...row, etag: response.etag };
    } catch (error) {
      if (statusOf(error) !== 409)
        throw classifyStorageError(error, `create EventLedger row ${eventId}`);
    }
    const existing = await this.get(eventId);
    if (existing === undefined) {
      // The row was deleted between the two calls, which only a manual clean-up does.
      throw new TransientError(
        'CONFLICT',
        `EventLedger row ${eventId} existed on create but was gone on read; retry the event`,
      );
    }
    return existing;
  }

  /**
   * Applies `changes` to `row` if the stored row still has `row.etag`, and returns the new row
   * with its new ETag. A row changed by another worker raises TransientError CONFLICT.
   * A change to `undefined` removes that field.
   */
  async update(row: EventLedgerRow, changes: Partial<EventLedgerRow>): Promise<EventLedgerRow> {
    if (row.etag === undefined) {
      throw new Error(
        `EventLedger.update for event ${row.eventId} needs the row's etag; pass a row returned by get or begin`,
      );
    }
    const next: EventLedgerRow = {
      ...row,
      ...changes,
      eventId: row.eventId,
      updatedAt: changes.updatedAt ?? this.now().toISOString(),
    };
    delete next.etag;
    try {
      const response = await this.client.updateEntity(toEntity(next), 'Replace', {
        etag: row.etag,
      });
      return { ...next, etag: response.etag };
    } catch (error) {
      throw classifyStorageError(error, `update EventLedger row ${row.eventId}`);
    }
  }
}
