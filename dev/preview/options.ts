import { readFile } from 'node:fs/promises';
import * as v from 'valibot';

/** A problem with the command line or an input file; the CLI prints it and exits with 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Location codes and warehouse map that stand in for BC locations and the WarehouseMap table. */
export interface PreviewContext {
  /** BC location id (lower case) to location code. */
  locations: Map<string, string>;
  /** BC location code to JASCI warehouse code. */
  warehouses: Map<string, string>;
  defaultWarehouse?: string;
}

export interface PreviewOptions {
  file: string;
  context: PreviewContext;
}

/** Reads and parses a JSON file, turning every failure into a UsageError that names the file. */
export async function readJsonFile(file: string): Promise<unknown> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`File not found: ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory; pass a JSON file`);
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  // Windows editors often save UTF-8 with a byte order mark, which JSON.parse rejects.
  if (content.startsWith('\uFEFF')) content = content.slice(1);
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const code = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));
/** An object of code to code; `v.record` alone would also accept an array. */
const codeRecord = v.pipe(
  v.unknown(),
  v.check((value) => typeof value === 'object' && value !== null && !Array.isArray(value)),
  v.record(v.string(), code),
);

const contextFileSchema = v.object({
  locations: v.optional(codeRecord),
  warehouses: v.optional(codeRecord),
  defaultWarehouse: v.optional(code),
});

/** A BC `locations` response, a bare list of locations, or an object of id to code. */
const locationsFileSchema = v.union([
  codeRecord,
  v.pipe(
    v.union([
      v.array(v.object({ id: code, code })),
      v.pipe(
        v.object({ value: v.array(v.object({ id: code, code })) }),
        v.transform((response) => response.value),
      ),
    ]),
    v.transform((rows) => Object.fromEntries(rows.map((row) => [row.id, row.code]))),
  ),
]);

/** An object of location code to warehouse code, or a list of WarehouseMap-like rows. */
const mapFileSchema = v.union([
  codeRecord,
  v.pipe(
    v.array(v.object({ locationCode: v.string(), warehouseCode: code })),
    v.transform((rows) =>
      Object.fromEntries(rows.map((row) => [row.locationCode.trim(), row.warehouseCode])),
    ),
  ),
]);

async function readShaped<T>(
  file: string,
  schema: v.GenericSchema<unknown, T>,
  expected: string,
): Promise<T> {
  const result = v.safeParse(schema, await readJsonFile(file));
  if (result.success) return result.output;
  throw new UsageError(`${file} has an unexpected shape; expected ${expected}`);
}

function addAll(
  target: Map<string, string>,
  entries: Record<string, string>,
  lowerCaseKeys = false,
) {
  for (const [key, value] of Object.entries(entries)) {
    target.set(lowerCaseKeys ? key.trim().toLowerCase() : key.trim(), value);
  }
}

/** Parses `key=value` of a repeated option such as `--location <id>=<code>`. */
function pair(option: string, value: string): [string, string] {
  const at = value.indexOf('=');
  const key = value.slice(0, at).trim();
  const mapped = value.slice(at + 1).trim();
  if (at < 0 || key === '' || mapped === '') {
    throw new UsageError(`${option} expects KEY=VALUE, got '${value}'`);
  }
  return [key, mapped];
}

const valueOptions = [
  '--locations',
  '--location',
  '--map',
  '--warehouse',
  '--default-warehouse',
  '--context',
] as const;
type ValueOption = (typeof valueOptions)[number];

/** Splits `--name=value` and `--name value` forms into [option, value] pairs plus positionals. */
function tokenize(argv: readonly string[]): {
  pairs: [ValueOption, string][];
  positionals: string[];
} {
  const pairs: [ValueOption, string][] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    if (!(valueOptions as readonly string[]).includes(name)) {
      throw new UsageError(`Unknown option ${name}; run with --help to list the options`);
    }
    let value = equals < 0 ? undefined : arg.slice(equals + 1);
    if (value === undefined) {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    pairs.push([name as ValueOption, value]);
  }
  return { pairs, positionals };
}

/**
 * Parses the arguments after `preview sales-order`. Files are read first (--context, then
 * --locations and --map), so single --location and --warehouse values override them.
 */
export async function parsePreviewOptions(argv: readonly string[]): Promise<PreviewOptions> {
  const { pairs, positionals } = tokenize(argv);
  const [file, ...extra] = positionals;
  if (file === undefined)
    throw new UsageError('Missing FILE: pass the sales order JSON file to preview');
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${extra[0]}; pass one FILE`);

  const context: PreviewContext = { locations: new Map(), warehouses: new Map() };
  const ordered = [...pairs].sort(([a], [b]) => rank(a) - rank(b));
  for (const [option, value] of ordered) await apply(context, option, value);
  return { file, context };
}

function rank(option: ValueOption): number {
  if (option === '--context') return 0;
  if (option === '--locations' || option === '--map') return 1;
  return 2;
}

async function apply(context: PreviewContext, option: ValueOption, value: string): Promise<void> {
  switch (option) {
    case '--context': {
      const shape =
        '{ "locations": { "<locationId>": "<code>" }, "warehouses": { "<code>": "<warehouse>" }, "defaultWarehouse": "<warehouse>" }';
      const file = await readShaped(value, contextFileSchema, shape);
      addAll(context.locations, file.locations ?? {}, true);
      addAll(context.warehouses, file.warehouses ?? {});
      if (file.defaultWarehouse !== undefined) context.defaultWarehouse = file.defaultWarehouse;
      return;
    }
    case '--locations':
      addAll(
        context.locations,
        await readShaped(
          value,
          locationsFileSchema,
          'a BC locations response, or { "<locationId>": "<code>" }',
        ),
        true,
      );
      return;
    case '--map':
      addAll(
        context.warehouses,
        await readShaped(value, mapFileSchema, '{ "<locationCode>": "<warehouse>" }'),
      );
      return;
    case '--location': {
      const [id, locationCode] = pair(option, value);
      context.locations.set(id.toLowerCase(), locationCode);
      return;
    }
    case '--warehouse': {
      const [locationCode, warehouse] = pair(option, value);
      context.warehouses.set(locationCode, warehouse);
      return;
    }
    case '--default-warehouse':
      context.defaultWarehouse = value;
      return;
  }
}
