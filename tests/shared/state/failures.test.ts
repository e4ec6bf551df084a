import { Failures, newFailureId, type FailureInput } from '../../../shared/state/failures';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

function input(overrides: Partial<FailureInput> = {}): FailureInput {
  return {
    flow: 'salesOrders',
    kind: 'salesOrder.upsert',
    documentKey: 'SO-1',
    category: 'business',
    code: 'UNMAPPED_LOCATION',
    message: 'Location EAST has no JASCI warehouse; add it to WarehouseMap',
    blobName: 'failures/salesOrders/2024-05-01/a.json',
    attempt: 1,
    correlationId: 'corr-1',
    ...overrides,
  };
}

describe('newFailureId', () => {
  it('sorts newer failures first', () => {
    const older = newFailureId(new Date('2024-05-01T00:00:00Z'));
    const newer = newFailureId(new Date('2024-05-01T00:00:01Z'));
    expect(newer < older).toBe(true);
  });

  it('is unique for the same instant', () => {
    const now = new Date();
    expect(newFailureId(now)).not.toBe(newFailureId(now));
  });
});

describe('Failures', () => {
  let clock = new Date('2024-05-01T10:00:00Z');
  let failures: Failures;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    failures = new Failures(tableClientFor(azurite.settings, TableName.Failures), () => clock);
  });

  it('records an open failure with every field', async () => {
    const record = await failures.record(input({ documentKey: 'SO-fields' }));
    expect(record.status).toBe('open');
    expect(record.firstSeen).toBe('2024-05-01T10:00:00.000Z');
    expect(record.lastSeen).toBe(record.firstSeen);
    await expect(failures.get(record.id)).resolves.toEqual(record);
  });

  it('returns undefined for an unknown id', async () => {
    await expect(failures.get('0-unknown')).resolves.toBeUndefined();
  });

  it('folds a repeat of an open failure into its row', async () => {
    clock = new Date('2024-05-01T11:00:00Z');
    const first = await failures.record(input({ documentKey: 'SO-repeat' }));
    clock = new Date('2024-05-01T12:00:00Z');
    const second = await failures.record(
      input({ documentKey: 'SO-repeat', attempt: 2, blobName: 'b2.json', correlationId: 'corr-2' }),
    );
    expect(second.id).toBe(first.id);
    expect(second.firstSeen).toBe('2024-05-01T11:00:00.000Z');
    expect(second.lastSeen).toBe('2024-05-01T12:00:00.000Z');
    const stored = await failures.get(first.id);
    expect(stored?.attempt).toBe(2);
    expect(stored?.blobName).toBe('b2.json');
    expect(stored?.correlationId).toBe('corr-2');
  });

  it('adds a new row once the earlier failure is closed', async () => {
    const first = await failures.record(input({ documentKey: 'SO-closed' }));
    await failures.setStatus(first.id, 'resolved');
    const second = await failures.record(input({ documentKey: 'SO-closed' }));
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('open');
  });

  it('adds a new row for a different code', async () => {
    const first = await failures.record(input({ documentKey: 'SO-codes' }));
    const second = await failures.record(input({ documentKey: 'SO-codes', code: 'UNKNOWN_ITEM' }));
    expect(second.id).not.toBe(first.id);
  });

  it('lists newest first and filters by status and flow', async () => {
    clock = new Date('2024-06-01T00:00:00Z');
    const older = await failures.record(input({ flow: 'receipts', documentKey: 'R-1' }));
    clock = new Date('2024-06-02T00:00:00Z');
    const newer = await failures.record(input({ flow: 'receipts', documentKey: 'R-2' }));
    await failures.setStatus(older.id, 'ignored');

    const receipts = await failures.list({ flow: 'receipts' });
    expect(receipts.map((f) => f.id)).toEqual([newer.id, older.id]);
    const openReceipts = await failures.list({ flow: 'receipts', status: 'open' });
    expect(openReceipts.map((f) => f.id)).toEqual([newer.id]);
    const ignored = await failures.list({ status: 'ignored' });
    expect(ignored.map((f) => f.id)).toEqual([older.id]);
    const all = await failures.list();
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  it('rejects a status change for an unknown id', async () => {
    await expect(failures.setStatus('0-missing', 'resolved')).rejects.toThrow(/not found/);
  });
});
