import { runDemo, demoOrders } from '../../dev/demo/scenario';
import type { DemoSummary, FlowSummary } from '../../dev/demo/summary';

// The demo scenario end to end: the local stack, the real handlers through the local host, and
// the BC and JASCI sandboxes over 127.0.0.1.
describe('demo scenario', () => {
  let summary: DemoSummary;
  const flow = (name: string): FlowSummary => {
    const found = summary.flows.find((f) => f.flow === name);
    if (!found) throw new Error(`flow ${name} missing from the summary`);
    return found;
  };

  beforeAll(async () => {
    summary = await runDemo({ generatedOrders: 6, timeoutMs: 150_000 });
  }, 200_000);

  test('reports every expected outcome', () => {
    expect(summary.missing).toEqual([]);
    expect(summary.ok).toBe(true);
  });

  test('delivers every released order except the unmapped one', () => {
    const orders = flow('salesOrders');
    // At least the generated orders, the split and the partial order; the fixture orders count
    // when they have quantity outstanding.
    expect(orders.delivered).toBeGreaterThanOrEqual(6 + 2);
    expect(orders.confirmed).toBe(orders.delivered);
    expect(orders.detected).toBe(orders.delivered + 1);
  });

  test('retries deliveries during the 503 storm', () => {
    expect(flow('salesOrders').retries).toBeGreaterThan(0);
  });

  test('records the unmapped location as the only failure', () => {
    expect(summary.failures).toEqual([
      { flow: 'salesOrders', code: 'UNMAPPED_LOCATION', documentKey: demoOrders.unmapped },
    ]);
    expect(flow('salesOrders').businessFailures).toBe(1);
  });

  test('posts every shipment event once', () => {
    const shipments = flow('shipments');
    expect(shipments.detected).toBeGreaterThan(flow('salesOrders').delivered);
    expect(shipments.delivered).toBe(shipments.detected);
    expect(shipments.confirmed).toBe(shipments.detected);
    expect(shipments.businessFailures).toBe(0);
  });

  test('measures latency for both flows', () => {
    for (const name of ['salesOrders', 'shipments']) {
      expect(flow(name).latencyP50Ms).toBeGreaterThan(0);
      expect(flow(name).latencyP95Ms).toBeGreaterThanOrEqual(flow(name).latencyP50Ms);
    }
  });
});
