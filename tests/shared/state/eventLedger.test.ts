import { TransientError } from '../../../shared/errors';
import { EventLedger } from '../../../shared/state/eventLedger';
import { TableName, ensureTables, tableClientFor } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';

const azurite = useAzurite();

describe('EventLedger', () => {
  let events: EventLedger;

  beforeAll(async () => {
    await ensureTables(azurite.settings);
    events = new EventLedger(tableClientFor(azurite.settings, TableName.EventLedger));
  });

  it('returns undefined for an unknown event', async () => {
    await expect(events.get('evt-unknown')).resolves.toBeUndefined();
  });

  it('begins an event as received', async () => {
    const row = await events.begin('evt-1', { kind: 'shipment.post', documentKey: 'SH-1' });
    expect(row.state).toBe('received');
    expect(row.kind).toBe('shipment.post');
    expect(row.documentKey).toBe('SH-1');
    expect(row.etag).toEqual(expect.any(String));
  });

  it('returns the existing row for a repeated event', async () => {
    const first = await events.begin('evt-2', { kind: 'shipment.post', documentKey: 'SH-2' });
    await events.update(first, { state: 'posted', bcDocumentNumber: '102001' });
    const again = await events.begin('evt-2', { kind: 'shipment.post', documentKey: 'SH-2' });
    expect(again.state).toBe('posted');
    expect(again.bcDocumentNumber).toBe('102001');
  });

  it('stores expected quantities and clears a field set to undefined', async () => {
    const row = await events.begin('evt/3#?', { kind: 'shipment.post', documentKey: 'SH-3' });
    const posting = await events.update(row, {
      state: 'posting',
      expected: { '10000': 5, '20000': 2.5 },
      failureCode: 'OLD',
    });
    const posted = await events.update(posting, { state: 'posted', failureCode: undefined });
    const stored = await events.get('evt/3#?');
    expect(stored?.state).toBe('posted');
    expect(stored?.expected).toEqual({ '10000': 5, '20000': 2.5 });
    expect(stored?.failureCode).toBeUndefined();
    expect(stored?.etag).toBe(posted.etag);
  });

  it('lets one of two updates from the same read win', async () => {
    const row = await events.begin('evt-race', { kind: 'shipment.post', documentKey: 'SH-4' });
    const results = await Promise.allSettled([
      events.update(row, { state: 'posting' }),
      events.update(row, { state: 'failed', failureCode: 'UNKNOWN_ITEM' }),
    ]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(TransientError);
    expect((rejected[0]?.reason as TransientError).code).toBe('CONFLICT');
  });

  it('rejects an update without an etag', async () => {
    const row = await events.begin('evt-5', { kind: 'shipment.post', documentKey: 'SH-5' });
    await expect(events.update({ ...row, etag: undefined }, { state: 'posting' })).rejects.toThrow(
      /etag/,
    );
  });
});
