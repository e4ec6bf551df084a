import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { WarehouseMap, blankLocationRowKey } from '../../../shared/state/warehouseMap';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

describe('WarehouseMap', () => {
  let map: WarehouseMap;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    map = new WarehouseMap(tableClientFor(azurite.settings, TableName.WarehouseMap));
    await map.set('EAST', 'WH-E');
    await map.set('', 'WH-DEFAULT');
    await map.set('A/B', 'WH-AB');
  });

  it('returns the warehouse of a location', async () => {
    await expect(map.get('EAST')).resolves.toBe('WH-E');
  });

  it('returns undefined for an unmapped location', async () => {
    await expect(map.get('NORTH')).resolves.toBeUndefined();
  });

  it('maps the blank location code', async () => {
    await expect(map.get('')).resolves.toBe('WH-DEFAULT');
  });

  it('matches location codes case-insensitively', async () => {
    await expect(map.get('east')).resolves.toBe('WH-E');
  });

  it('replaces a mapping', async () => {
    await map.set('WEST', 'WH-W1');
    await map.set('WEST', 'WH-W2');
    await expect(map.get('WEST')).resolves.toBe('WH-W2');
  });

  it('lists all mappings including hand-entered rows', async () => {
    const client = tableClientFor(azurite.settings, TableName.WarehouseMap);
    await client.createEntity({
      partitionKey: 'location',
      rowKey: 'south',
      warehouseCode: ' WH-S ',
    });
    await client.createEntity({ partitionKey: 'location', rowKey: 'EMPTY', warehouseCode: '' });
    const all = await map.all();
    expect(all.get('EAST')).toBe('WH-E');
    expect(all.get('')).toBe('WH-DEFAULT');
    expect(all.get('A/B')).toBe('WH-AB');
    expect(all.get('SOUTH')).toBe('WH-S');
    expect(all.has('EMPTY')).toBe(false);
  });

  it('stores the blank code under a readable row key', async () => {
    const client = tableClientFor(azurite.settings, TableName.WarehouseMap);
    const entity = await client.getEntity<{ warehouseCode: string }>(
      'location',
      blankLocationRowKey,
    );
    expect(entity.warehouseCode).toBe('WH-DEFAULT');
  });
});
