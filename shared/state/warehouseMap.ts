import type { TableClient } from '@azure/data-tables';
import { classifyStorageError, statusOf } from './tableErrors';
import { decodeTableKey, encodeTableKey } from './keys';

/** All mappings live in one partition; operators add rows with this PartitionKey by hand. */
const partitionKey = 'location';

/**
 * RowKey of the blank BC location code (''). BC stores codes in upper case, so this lower-case
 * marker cannot be a real location code.
 */
export const blankLocationRowKey = '(blank)';

interface WarehouseMapEntity {
  partitionKey: string;
  rowKey: string;
  warehouseCode: string;
}

/** BC code fields are upper case; normalising lets a hand-typed lower-case row still match. */
function normaliseLocationCode(locationCode: string): string {
  return locationCode.trim().toUpperCase();
}

function rowKeyFor(locationCode: string): string {
  const code = normaliseLocationCode(locationCode);
  return code === '' ? blankLocationRowKey : encodeTableKey(code);
}

function locationCodeFor(rowKey: string): string {
  return rowKey === blankLocationRowKey ? '' : normaliseLocationCode(decodeTableKey(rowKey));
}

/**
 * Maps BC location codes to JASCI warehouse codes. Row: PartitionKey `location`, RowKey = the
 * location code (`(blank)` for the blank code), property `warehouseCode`.
 */
export class WarehouseMap {
  constructor(private readonly client: TableClient) {}

  async get(locationCode: string): Promise<string | undefined> {
    try {
      const entity = await this.client.getEntity<WarehouseMapEntity>(
        partitionKey,
        rowKeyFor(locationCode),
      );
      return entity.warehouseCode;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw classifyStorageError(error, `read WarehouseMap row for location '${locationCode}'`);
    }
  }

  /** Returns every mapping, keyed by upper-case BC location code ('' for the blank code). */
  async all(): Promise<Map<string, string>> {
    const mappings = new Map<string, string>();
    try {
      const entities = this.client.listEntities<WarehouseMapEntity>({
        queryOptions: { filter: `PartitionKey eq '${partitionKey}'` },
      });
      for await (const entity of entities) {
        if (typeof entity.warehouseCode !== 'string' || entity.warehouseCode.trim() === '')
          continue;
        mappings.set(locationCodeFor(entity.rowKey ?? ''), entity.warehouseCode.trim());
      }
    } catch (error) {
      throw classifyStorageError(error, 'list WarehouseMap rows');
    }
    return mappings;
  }

  async set(locationCode: string, warehouseCode: string): Promise<void> {
    const entity: WarehouseMapEntity = {
      partitionKey,
      rowKey: rowKeyFor(locationCode),
      warehouseCode,
    };
    try {
      await this.client.upsertEntity(entity, 'Replace');
    } catch (error) {
      throw classifyStorageError(error, `write WarehouseMap row for location '${locationCode}'`);
    }
  }
}
