import type { TableClient } from '@azure/data-tables';
import { classifyStorageError, statusOf } from './tableErrors';
import { encodeTableKey } from './keys';

const partitionKey = 'cursor';

interface CursorEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  value: string;
}

/** Named positions of the pollers (such as the last `lastModifiedDateTime` read from BC). */
export class SyncCursors {
  constructor(private readonly client: TableClient) {}

  async get(name: string): Promise<{ value: string; etag: string } | undefined> {
    try {
      const entity = await this.client.getEntity<CursorEntity>(partitionKey, encodeTableKey(name));
      return { value: entity.value, etag: entity.etag };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw classifyStorageError(error, `read SyncCursors row ${name}`);
    }
  }

  /**
   * Stores a cursor and returns its new ETag. With `etag` it replaces the cursor only if unchanged
   * since that read; without it, it creates the cursor, so pass the ETag from `get` whenever the
   * cursor exists. A lost race raises TransientError CONFLICT.
   */
  async set(name: string, value: string, etag?: string): Promise<string> {
    const entity: CursorEntity = { partitionKey, rowKey: encodeTableKey(name), name, value };
    try {
      const response =
        etag === undefined
          ? await this.client.createEntity(entity)
          : await this.client.updateEntity(entity, 'Replace', { etag });
      return response.etag ?? '';
    } catch (error) {
      throw classifyStorageError(error, `write SyncCursors row ${name}`);
    }
  }
}
