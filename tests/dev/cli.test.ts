import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../dev/cli';
import { bcCasesDir, bcFixturesDir } from '../../dev/paths';

const blankValuesFile = join(bcCasesDir(), '09-blank-dates-strings-guids.json');
const draftFile = join(bcCasesDir(), '02-status-draft-is-bc-open.json');
const locationId = '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cli-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function writeScratch(name: string, content: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Returns the draft order of the fixtures, released, as a bare BC order. */
function releasedOrder(): Record<string, unknown> {
  const input = JSON.parse(readFileSync(draftFile, 'utf8')).input;
  return { ...input, status: 'Open' };
}

describe('runCli preview sales-order', () => {
  it('prints the JASCI order of a released order', async () => {
    const file = writeScratch('released.json', releasedOrder());

    const result = await run(
      'preview',
      'sales-order',
      file,
      '--location',
      `${locationId}=MAIN`,
      '--warehouse',
      'MAIN=WH-1',
    );

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const orders = JSON.parse(result.stdout);
    expect(orders).toHaveLength(1);
    expect(orders[0].orderNumber).toBe('SO-104312');
    expect(orders[0].warehouseCode).toBe('WH-1');
    expect(orders[0].customerReference).toBe('WEB-88213');
    expect(orders[0].lines).toEqual([
      {
        lineNumber: 10000,
        product: 'TENT-2P',
        quantity: 4,
        uom: 'PCS',
        description: 'Two-person dome tent',
      },
    ]);
  });

  it('reads locations and warehouses from a context file', async () => {
    const file = writeScratch('released-context.json', releasedOrder());
    const context = writeScratch('context.json', {
      locations: { [locationId.toUpperCase()]: 'MAIN' },
      warehouses: { MAIN: 'WH-CTX' },
    });

    const result = await run('preview', 'sales-order', file, '--context', context);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)[0].warehouseCode).toBe('WH-CTX');
  });

  it('lets single options override the files', async () => {
    const file = writeScratch('released-override.json', releasedOrder());
    const locations = writeScratch('locations.json', { value: [{ id: locationId, code: 'MAIN' }] });
    const map = writeScratch('map.json', { MAIN: 'WH-FILE' });

    const result = await run(
      'preview',
      'sales-order',
      file,
      '--warehouse=MAIN=WH-FLAG',
      `--map=${map}`,
      '--locations',
      locations,
    );

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)[0].warehouseCode).toBe('WH-FLAG');
  });

  it('applies the default warehouse to a blank location', async () => {
    const result = await run(
      'preview',
      'sales-order',
      blankValuesFile,
      '--default-warehouse',
      'WH-DEF',
    );

    expect(result.code).toBe(0);
    const [order] = JSON.parse(result.stdout);
    expect(order.warehouseCode).toBe('WH-DEF');
    expect(order).not.toHaveProperty('promisedDeliveryDate');
    expect(order).not.toHaveProperty('customerReference');
    expect(order.shipTo).not.toHaveProperty('addressLine2');
    expect(order.shipTo).not.toHaveProperty('state');
    expect(order.shipTo).not.toHaveProperty('contact');
    expect(order.shipTo).not.toHaveProperty('phone');
    expect(order.shipTo).not.toHaveProperty('email');
    expect(result.stdout).not.toMatch(/""|0001-01-01|00000000-0000/);
  });

  it('exits 2 naming a blank location without default', async () => {
    const result = await run('preview', 'sales-order', blankValuesFile);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('SO-104319');
    expect(result.stderr).toContain('location is blank');
    expect(result.stderr).toContain('--default-warehouse');
  });

  it('exits 2 naming an unmapped location', async () => {
    const file = writeScratch('unmapped.json', releasedOrder());

    const result = await run('preview', 'sales-order', file, '--location', `${locationId}=EAST`);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('location EAST has no JASCI warehouse');
    expect(result.stderr).toContain('--warehouse');
  });

  it('exits 2 naming an unknown location id', async () => {
    const file = writeScratch('unknown-location.json', releasedOrder());

    const result = await run('preview', 'sales-order', file, '--warehouse', 'MAIN=WH-1');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(locationId);
    expect(result.stderr).toContain('--location');
  });

  it('prints nothing to send for a draft order', async () => {
    const result = await run('preview', 'sales-order', draftFile);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(result.stderr).toContain('SO-104312 has status Draft');
  });

  it('previews every order of a BC response', async () => {
    const second = { ...releasedOrder(), number: 'SO-2', salesOrderLines: [] };
    const file = writeScratch('response.json', { value: [releasedOrder(), second] });

    const result = await run(
      'preview',
      'sales-order',
      file,
      '--default-warehouse',
      'X',
      '--location',
      `${locationId}=MAIN`,
      '--warehouse',
      'MAIN=WH-1',
    );

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).map((o: { orderNumber: string }) => o.orderNumber)).toEqual([
      'SO-104312',
    ]);
    expect(result.stderr).toContain('SO-2 has no item lines');
  });

  it('exits 1 for an order read without lines', async () => {
    const result = await run(
      'preview',
      'sales-order',
      join(bcFixturesDir(), 'sales-order-create-response.json'),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sales order 101005 has no salesOrderLines');
    expect(result.stderr).toContain('$expand=salesOrderLines');
    expect(result.stdout).toBe('');
  });

  it('reads a file that starts with a BOM', async () => {
    const file = writeScratch('bom.json', `\uFEFF${JSON.stringify(releasedOrder())}`);

    const result = await run(
      'preview',
      'sales-order',
      file,
      '--location',
      `${locationId}=MAIN`,
      '--warehouse',
      'MAIN=WH-1',
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)[0].orderNumber).toBe('SO-104312');
  });

  it('names the entry of a list that is not an order', async () => {
    const file = writeScratch('mixed.json', { value: [releasedOrder(), 5, null] });

    const result = await run('preview', 'sales-order', file);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('entry value[1] is not a sales order (found a number)');
  });
});

describe('runCli preview of invalid line values', () => {
  /** Returns the released order with its first line changed. */
  function withFirstLine(changes: Record<string, unknown>): Record<string, unknown> {
    const order = releasedOrder();
    const [first, ...rest] = order.salesOrderLines as Record<string, unknown>[];
    return { ...order, salesOrderLines: [{ ...first, ...changes }, ...rest] };
  }

  const cases: [string, string, RegExp][] = [
    [
      'quantity 1e308',
      JSON.stringify(withFirstLine({ quantity: 1e308 })),
      /salesOrderLines\.0\.quantity: must be at most 999999999999/,
    ],
    [
      'quantity 1e400',
      JSON.stringify(withFirstLine({ quantity: 4 })).replace('"quantity":4', '"quantity":1e400'),
      /salesOrderLines\.0\.quantity: must be at most 999999999999/,
    ],
    [
      'negative quantity',
      JSON.stringify(withFirstLine({ quantity: -2 })),
      /salesOrderLines\.0\.quantity: must not be negative/,
    ],
    [
      'shippedQuantity 1e308',
      JSON.stringify(withFirstLine({ shippedQuantity: 1e308 })),
      /salesOrderLines\.0\.shippedQuantity: must be at most/,
    ],
    [
      'negative shippedQuantity',
      JSON.stringify(withFirstLine({ shippedQuantity: -1 })),
      /salesOrderLines\.0\.shippedQuantity: must not be negative/,
    ],
    [
      'shippedQuantity above quantity',
      JSON.stringify(withFirstLine({ quantity: 4, shippedQuantity: 9 })),
      /salesOrderLines\.0\.shippedQuantity: 9 is more than the line's quantity 4/,
    ],
    [
      'sequence 0',
      JSON.stringify(withFirstLine({ sequence: 0 })),
      /salesOrderLines\.0\.sequence: must be at least 1/,
    ],
    [
      'sequence -1',
      JSON.stringify(withFirstLine({ sequence: -1 })),
      /salesOrderLines\.0\.sequence: must be at least 1/,
    ],
  ];

  it.each(cases)('exits 2 for %s', async (_name, content, message) => {
    const file = writeScratch('invalid-line.json', content);

    const result = await run('preview', 'sales-order', file, '--default-warehouse', 'WH-1');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 for two lines with the same sequence', async () => {
    const order = releasedOrder();
    const [first] = order.salesOrderLines as Record<string, unknown>[];
    const file = writeScratch('same-sequence.json', {
      ...order,
      salesOrderLines: [first, { ...first, id: 'second-line' }],
    });

    const result = await run('preview', 'sales-order', file, '--default-warehouse', 'WH-1');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('salesOrderLines: lines 0 and 1 both have sequence 10000');
    expect(result.stdout).toBe('');
  });
});

describe('runCli usage errors', () => {
  const cases: [string, string[], RegExp][] = [
    ['no arguments', [], /Usage:/],
    ['unknown command', ['export'], /Unknown command 'export'/],
    ['unknown document kind', ['preview', 'purchase-order', 'x.json'], /supports sales-order/],
    ['missing file argument', ['preview', 'sales-order'], /Missing FILE/],
    [
      'file not found',
      ['preview', 'sales-order', '/nonexistent/order.json'],
      /File not found: \/nonexistent\/order.json/,
    ],
    [
      'unknown option',
      ['preview', 'sales-order', draftFile, '--verbose'],
      /Unknown option --verbose/,
    ],
    [
      'option without value',
      ['preview', 'sales-order', draftFile, '--default-warehouse'],
      /--default-warehouse needs a value/,
    ],
    [
      'malformed pair',
      ['preview', 'sales-order', draftFile, '--warehouse', 'MAIN'],
      /--warehouse expects KEY=VALUE/,
    ],
    ['two files', ['preview', 'sales-order', draftFile, draftFile], /Unexpected argument/],
  ];

  it.each(cases)('exits 1 for %s', async (_name, argv, message) => {
    const result = await run(...argv);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('exits 1 for invalid JSON', async () => {
    const file = writeScratch('broken.json', '{ "number": ');

    const result = await run('preview', 'sales-order', file);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} is not valid JSON`);
  });

  it('exits 1 for a context file of the wrong shape', async () => {
    const context = writeScratch('bad-context.json', { warehouses: ['MAIN'] });

    const result = await run('preview', 'sales-order', draftFile, '--context', context);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unexpected shape');
  });

  it('prints usage for --help', async () => {
    const result = await run('preview', '--help');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: connector preview sales-order FILE');
    expect(result.stdout).toContain('--default-warehouse');
  });
});

describe('runCli on every fixture', () => {
  const files = [bcFixturesDir(), bcCasesDir()].flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(dir, name)),
  );

  it.each(files)('handles %s without crashing', async (file) => {
    const result = await run('preview', 'sales-order', file, '--default-warehouse', 'WH-DEF');

    expect([0, 1, 2]).toContain(result.code);
    expect(result.stderr).not.toMatch(/Unexpected error|\n\s+at /);
    if (result.code === 0) expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
    else expect(result.stderr.trim()).not.toBe('');
  });

  it('names non-sales-order files', async () => {
    const result = await run('preview', 'sales-order', join(bcFixturesDir(), 'customer-get.json'));
    const caseFile = await run(
      'preview',
      'sales-order',
      join(bcCasesDir(), '05-top-hides-nextlink.json'),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a sales order');
    expect(caseFile.code).toBe(1);
    expect(caseFile.stderr).toContain("case file of kind 'bc-http'");
  });
});
