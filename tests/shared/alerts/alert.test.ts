import { LogAlerter } from '../../../shared/alerts/alert';
import type { FailureRecord } from '../../../shared/state/failures';
import { captureLogger } from '../messaging/captureLogger';

function failure(overrides: Partial<FailureRecord> = {}): FailureRecord {
  return {
    id: '8280000000000-abcd0001',
    flow: 'salesOrders',
    kind: 'salesOrder.upsert',
    documentKey: 'SO-1',
    category: 'business',
    code: 'UNKNOWN_ITEM',
    message: 'Item 1000 is unknown to JASCI',
    blobName: 'failures/salesOrders/2024-05-01/x.json',
    attempt: 1,
    firstSeen: '2024-05-01T00:00:00.000Z',
    lastSeen: '2024-05-01T00:00:00.000Z',
    correlationId: 'corr-1',
    status: 'open',
    ...overrides,
  };
}

describe('LogAlerter', () => {
  let clock: number;
  let log: ReturnType<typeof captureLogger>;
  let alerter: LogAlerter;

  beforeEach(() => {
    clock = Date.parse('2024-05-01T00:00:00Z');
    log = captureLogger();
    alerter = new LogAlerter(log, { now: () => clock });
  });

  const alerts = () => log.entries.filter((e) => e.message === 'Connector failure alert');
  const summaries = () =>
    log.entries.filter((e) => e.message === 'Connector failure alerts suppressed');

  it('logs one structured error line', async () => {
    await alerter.alert(failure());
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]?.level).toBe('error');
    expect(log.entries[0]?.fields).toMatchObject({
      flow: 'salesOrders',
      code: 'UNKNOWN_ITEM',
      category: 'business',
      documentKey: 'SO-1',
      failureId: '8280000000000-abcd0001',
    });
  });

  it('does not log the failure message', async () => {
    await alerter.alert(failure());
    expect(JSON.stringify(log.entries)).not.toContain('Item 1000 is unknown');
  });

  it('suppresses repeats within a minute', async () => {
    await alerter.alert(failure({ documentKey: 'SO-1' }));
    clock += 10_000;
    await alerter.alert(failure({ documentKey: 'SO-2' }));
    await alerter.alert(failure({ documentKey: 'SO-3' }));
    expect(alerts()).toHaveLength(1);
    expect(summaries()).toHaveLength(0);
  });

  it('reports the suppressed count when the window ends', async () => {
    await alerter.alert(failure({ documentKey: 'SO-1' }));
    await alerter.alert(failure({ documentKey: 'SO-2' }));
    await alerter.alert(failure({ documentKey: 'SO-3' }));
    clock += 60_000;
    await alerter.alert(failure({ documentKey: 'SO-4' }));
    expect(alerts()).toHaveLength(2);
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]?.fields).toMatchObject({
      flow: 'salesOrders',
      code: 'UNKNOWN_ITEM',
      suppressed: 2,
    });
  });

  it('limits each code and flow separately', async () => {
    await alerter.alert(failure());
    await alerter.alert(failure({ code: 'UNMAPPED_LOCATION' }));
    await alerter.alert(failure({ flow: 'purchaseOrders' }));
    expect(alerts()).toHaveLength(3);
  });

  it('reports pending counts on flush', async () => {
    await alerter.alert(failure());
    await alerter.alert(failure());
    alerter.flush();
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]?.fields.suppressed).toBe(1);
    alerter.flush();
    expect(summaries()).toHaveLength(1);
  });

  it('allows more alerts per window when configured', async () => {
    const generous = new LogAlerter(log, { now: () => clock, maxPerWindow: 3 });
    for (let i = 0; i < 5; i += 1) await generous.alert(failure());
    expect(alerts()).toHaveLength(3);
  });
});
