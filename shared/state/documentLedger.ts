import type { TableClient } from '@azure/data-tables';
import { classifyStorageError, statusOf } from './tableErrors';
import { encodeTableKey } from './keys';

/** Outbound state of one BC document in one flow: what was last sent to JASCI. */
export interface DocumentLedgerRow {
  flow: string;
  documentKey: string;
  /** Version of the document last sent (BC `lastModifiedDateTime`). */
  version: string;
  /** Hash of the last payload sent. */
  payloadHash: string;
  status: 'sent' | 'cancelled';
  /** JASCI document numbers created for this BC document (several when an order is split). */
  jasciKeys: string[];
  updatedAt: string;
  /** ETag of the stored row; set by `get`, required by `put` to update an existing row. */
  etag?: string;
}

interface DocumentLedgerEntity {
  partitionKey: string;
  rowKey: string;
  flow: string;
  documentKey: string;
  version: string;
  payloadHash: string;
  status: string;
  jasciKeys: string;
  updatedAt: string;
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * Compares two versions: as instants when both are ISO timestamps (BC varies the number of
 * fraction digits, so string order can be wrong), otherwise as strings.
 */
export function compareVersions(a: string, b: string): number {
  if (isoTimestamp.test(a) && isoTimestamp.test(b)) {
    const timeA = Date.parse(a);
    const timeB = Date.parse(b);
    if (!Number.isNaN(timeA) && !Number.isNaN(timeB)) return Math.sign(timeA - timeB);
  }
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function parseJasciKeys(value: string): string[] {
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

/**
 * One row per (flow, BC document): partition key = flow, row key = the encoded document key.
 * Writes are guarded by ETags so that of two workers handling the same document only one wins.
 */
export class DocumentLedger {
  constructor(private readonly client: TableClient) {}

  async get(flow: string, documentKey: string): Promise<DocumentLedgerRow | undefined> {
    let entity;
    try {
      entity = await this.client.getEntity<DocumentLedgerEntity>(
        encodeTableKey(flow),
        encodeTableKey(documentKey),
      );
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw classifyStorageError(error, `read DocumentLedger row ${flow}/${documentKey}`);
    }
    return {
      flow: entity.flow,
      documentKey: entity.documentKey,
      version: entity.version,
      payloadHash: entity.payloadHash,
      status: entity.status === 'cancelled' ? 'cancelled' : 'sent',
      jasciKeys: parseJasciKeys(entity.jasciKeys),
      updatedAt: entity.updatedAt,
      etag: entity.etag,
    };
  }

  /**
   * Decides what to do with a document version: 'stale' when the ledger already contains a later
   * version, 'unchanged' when the payload hash equals the last one sent, otherwise 'send'.
   */
  static decide(
    row: DocumentLedgerRow | undefined,
    version: string,
    payloadHash: string,
  ): 'send' | 'stale' | 'unchanged' {
    if (row === undefined) return 'send';
    if (compareVersions(version, row.version) < 0) return 'stale';
    if (row.payloadHash === payloadHash) return 'unchanged';
    return 'send';
  }

  /**
   * Stores a row: with `row.etag` it replaces the row only if unchanged since that read, without
   * it creates the row. A lost race raises TransientError CONFLICT.
   */
  async put(row: DocumentLedgerRow): Promise<void> {
    const entity: DocumentLedgerEntity = {
      partitionKey: encodeTableKey(row.flow),
      rowKey: encodeTableKey(row.documentKey),
      flow: row.flow,
      documentKey: row.documentKey,
      version: row.version,
      payloadHash: row.payloadHash,
      status: row.status,
      jasciKeys: JSON.stringify(row.jasciKeys),
      updatedAt: row.updatedAt,
    };
    try {
      if (row.etag === undefined) await this.client.createEntity(entity);
      else await this.client.updateEntity(entity, 'Replace', { etag: row.etag });
    } catch (error) {
      throw classifyStorageError(error, `write DocumentLedger row ${row.flow}/${row.documentKey}`);
    }
  }
}
