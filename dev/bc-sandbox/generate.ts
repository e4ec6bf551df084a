import { BLANK_DATE } from './entities';
import { Prng } from './prng';
import type { SalesOrderLineInput } from './salesDocuments';
import type { HasStore } from './seed';
import type { Snapshot } from './store';

export interface GenerateOptions {
  count: number;
  minLines?: number;
  maxLines?: number;
  /** Location codes to spread lines over; '' means a blank location (zero GUID). */
  locations?: string[];
  seed?: number;
  /** API status of the generated orders (default 'Open', i.e. released). */
  status?: 'Draft' | 'In Review' | 'Open';
  /** Share of lines that go to another location than the order's first one (default 0.2). */
  splitRatio?: number;
}

/**
 * Generates sales orders over the seeded customers, items and locations. The same seed and the
 * same store content give the same orders, ids included.
 */
export function generateSalesOrders(sandbox: HasStore, options: GenerateOptions): Snapshot[] {
  const store = sandbox.store;
  const random = new Prng(options.seed ?? 1);
  const customers = store.rows('customers').map((row) => String(row.fields.number));
  const items = store.rows('items').map((row) => String(row.fields.number));
  const locations =
    options.locations ?? store.rows('locations').map((row) => String(row.fields.code));
  if (customers.length === 0 || items.length === 0) {
    throw new Error('generateSalesOrders needs customers and items; run seedFromFixtures first.');
  }
  if (locations.length === 0) {
    throw new Error('generateSalesOrders needs at least one location code.');
  }

  const minLines = options.minLines ?? 1;
  const maxLines = Math.max(minLines, options.maxLines ?? 5);
  const splitRatio = options.splitRatio ?? 0.2;
  const orders: Snapshot[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const home = random.pick(locations);
    const lineCount = random.integer(minLines, maxLines);
    const lines: SalesOrderLineInput[] = [];
    for (let lineIndex = 0; lineIndex < lineCount; lineIndex += 1) {
      lines.push({
        id: random.guid(),
        lineObjectNumber: random.pick(items),
        quantity: random.integer(1, 20),
        locationCode: random.chance(splitRatio) ? random.pick(locations) : home,
      });
    }

    const id = random.guid();
    const customerNumber = random.pick(customers);
    const externalDocumentNumber = random.chance(0.5) ? `WEB-${random.integer(10000, 99999)}` : '';
    const requestedDeliveryDate = random.chance(0.6)
      ? addDays(store.today(), random.integer(1, 14))
      : BLANK_DATE;
    const status = options.status ?? 'Open';
    orders.push(
      store.addSalesOrder({
        id,
        customerNumber,
        status,
        externalDocumentNumber,
        requestedDeliveryDate,
        lines,
      }),
    );
  }
  return orders;
}

function addDays(date: string, days: number): string {
  const value = new Date(`${date}T00:00:00Z`);
  value.setUTCDate(value.getUTCDate() + days);
  return value.toISOString().slice(0, 10);
}
