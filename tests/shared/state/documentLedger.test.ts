import { TransientError } from '../../../shared/errors';
import { DocumentLedger, type DocumentLedgerRow } from '../../../shared/state/documentLedger';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

function row(overrides: Partial<DocumentLedgerRow> = {}): DocumentLedgerRow {
  return {
    flow: 'salesOrders',
    documentKey: 'SO-1001',
    version: '2024-05-01T10:00:00Z',
    payloadHash: 'hash-1',
    status: 'sent',
    jasciKeys: ['SO-1001'],
    updatedAt: '2024-05-01T10:00:05.000Z',
    ...overrides,
  };
}

describe('DocumentLedger', () => {
  let ledger: DocumentLedger;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    ledger = new DocumentLedger(tableClientFor(azurite.settings, TableName.DocumentLedger));
  });

  it('returns undefined for an unknown document', async () => {
    await expect(ledger.get('salesOrders', 'SO-unknown')).resolves.toBeUndefined();
  });

  it('creates and reads a row with its etag', async () => {
    await ledger.put(row({ jasciKeys: ['SO-1001-EAST', 'SO-1001-WEST'] }));
    const stored = await ledger.get('salesOrders', 'SO-1001');
    expect(stored).toMatchObject(row({ jasciKeys: ['SO-1001-EAST', 'SO-1001-WEST'] }));
    expect(stored?.etag).toEqual(expect.any(String));
  });

  it('stores document keys with characters Table Storage forbids', async () => {
    const documentKey = 'PO/2024#7?a\\b%c\u0001';
    await ledger.put(row({ documentKey }));
    const stored = await ledger.get('salesOrders', documentKey);
    expect(stored?.documentKey).toBe(documentKey);
  });

  it('keeps flows apart for the same document key', async () => {
    await ledger.put(row({ flow: 'purchaseOrders', documentKey: 'SO-1001', payloadHash: 'po' }));
    const salesRow = await ledger.get('salesOrders', 'SO-1001');
    const purchaseRow = await ledger.get('purchaseOrders', 'SO-1001');
    expect(salesRow?.payloadHash).toBe('hash-1');
    expect(purchaseRow?.payloadHash).toBe('po');
  });

  it('rejects creating an existing row with CONFLICT', async () => {
    await ledger.put(row({ documentKey: 'SO-dup' }));
    const error = await ledger.put(row({ documentKey: 'SO-dup' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('CONFLICT');
  });

  it('lets one of two updates from the same read win', async () => {
    await ledger.put(row({ documentKey: 'SO-race' }));
    const read = await ledger.get('salesOrders', 'SO-race');
    if (read === undefined) throw new Error('row missing');

    const results = await Promise.allSettled([
      ledger.put({ ...read, version: '2024-05-02T00:00:00Z', payloadHash: 'a' }),
      ledger.put({ ...read, version: '2024-05-03T00:00:00Z', payloadHash: 'b' }),
    ]);

    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(TransientError);
    expect((rejected[0]?.reason as TransientError).code).toBe('CONFLICT');
    const final = await ledger.get('salesOrders', 'SO-race');
    expect(['a', 'b']).toContain(final?.payloadHash);
  });

  it('updates with a current etag', async () => {
    await ledger.put(row({ documentKey: 'SO-update' }));
    const read = await ledger.get('salesOrders', 'SO-update');
    if (read === undefined) throw new Error('row missing');
    await ledger.put({ ...read, status: 'cancelled', payloadHash: 'cancel' });
    const updated = await ledger.get('salesOrders', 'SO-update');
    expect(updated?.status).toBe('cancelled');
    expect(updated?.payloadHash).toBe('cancel');
  });
});

describe('DocumentLedger.decide', () => {
  const stored = row({ version: '2024-05-01T10:00:00.5Z', payloadHash: 'h1' });

  it.each([
    ['no row', undefined, '2024-05-01T10:00:00Z', 'h1', 'send'],
    ['older version', stored, '2024-05-01T09:00:00Z', 'h2', 'stale'],
    ['older by fraction digits', stored, '2024-05-01T10:00:00.25Z', 'h2', 'stale'],
    ['same hash', stored, '2024-05-01T10:00:00.5Z', 'h1', 'unchanged'],
    ['newer version same hash', stored, '2024-05-02T00:00:00Z', 'h1', 'unchanged'],
    ['same version new hash', stored, '2024-05-01T10:00:00.500Z', 'h2', 'send'],
    ['newer version new hash', stored, '2024-05-02T00:00:00Z', 'h2', 'send'],
  ] as const)('%s', (_case, current, version, hash, expected) => {
    expect(DocumentLedger.decide(current, version, hash)).toBe(expected);
  });
});
