import { existsSync, readFileSync } from 'node:fs';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobStore, containerClientFor } from '../../shared/archive/blobStore';
import { loadSettings } from '../../shared/config/load';
import type { Settings } from '../../shared/config/schema';
import { toBcKinds, type Envelope, type MessageKind } from '../../shared/messaging/envelope';
import { QueueSender, serviceBusClientFor } from '../../shared/messaging/queues';
import { Failures, type FailureRecord, type FailureStatus } from '../../shared/state/failures';
import { replayFailure } from '../../shared/state/replay';
import { tableClientFor, TableName } from '../../shared/state/tables';

/** Output streams of the command; tests capture both. */
export interface FailuresIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const failuresUsage = `Usage: connector failures COMMAND [options]

Lists and settles the connector's recorded failures (the Failures table and the archived
messages), with the same settings as the app.

Commands:
  list [--status open|replayed|resolved|ignored] [--flow FLOW] [--json]
  show ID                       the failure and its archived message, as JSON
  replay ID [--payload FILE]    sends the archived message again at attempt 1; --payload replaces
                                its payload with the JSON in FILE (the corrected document)
  resolve ID                    closes the failure as fixed by other means
  ignore ID                     closes the failure without action

Options:
  --settings FILE   app settings: a local.settings.json ("Values") or a flat JSON object;
                    default ./local.settings.json when it exists, then the environment
  --help            print this text
`;

export class FailuresUsageError extends Error {}

const statuses: readonly FailureStatus[] = ['open', 'replayed', 'resolved', 'ignored'];

interface ParsedArgs {
  command: string;
  id?: string;
  status?: FailureStatus;
  flow?: string;
  json: boolean;
  payloadFile?: string;
  settingsFile?: string;
}

function valueAfter(argv: readonly string[], index: number, option: string): string {
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new FailuresUsageError(`${option} needs a value; run with --help for the options`);
  }
  return value;
}

export function parseFailuresArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new FailuresUsageError(failuresUsage);
  const parsed: ParsedArgs = { command, json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--status') {
      const status = valueAfter(rest, i++, arg);
      if (!statuses.includes(status as FailureStatus)) {
        throw new FailuresUsageError(
          `--status must be one of ${statuses.join(', ')}, not ${status}`,
        );
      }
      parsed.status = status as FailureStatus;
    } else if (arg === '--flow') parsed.flow = valueAfter(rest, i++, arg);
    else if (arg === '--payload') parsed.payloadFile = valueAfter(rest, i++, arg);
    else if (arg === '--settings') parsed.settingsFile = valueAfter(rest, i++, arg);
    else if (arg.startsWith('--')) {
      throw new FailuresUsageError(`Unknown option ${arg}; run with --help for the options`);
    } else if (parsed.id === undefined) parsed.id = arg;
    else throw new FailuresUsageError(`Unexpected argument ${arg}; give one failure id`);
  }
  return parsed;
}

function readJsonFile(file: string, description: string): unknown {
  if (!existsSync(file)) throw new FailuresUsageError(`${description} ${file} not found`);
  try {
    return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new FailuresUsageError(
      `${description} ${file} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** Reads the settings file (local.settings.json's `Values`, or a flat object) over the environment. */
export function settingsFrom(
  file: string | undefined,
  env: Record<string, string | undefined>,
): Settings {
  const path = file ?? (existsSync('local.settings.json') ? 'local.settings.json' : undefined);
  if (path === undefined) return loadSettings(env);
  const content = readJsonFile(path, 'Settings file') as { Values?: Record<string, string> };
  const values = content.Values ?? (content as Record<string, string>);
  return loadSettings({ ...env, ...values });
}

function formatList(records: readonly FailureRecord[]): string {
  if (records.length === 0) return 'No failures.\n';
  const rows = records.map((f) => [f.id, f.status, f.flow, f.code, f.documentKey, f.lastSeen]);
  const header = ['id', 'status', 'flow', 'code', 'document', 'last seen'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function requireId(args: ParsedArgs): string {
  if (args.id === undefined) {
    throw new FailuresUsageError(
      `${args.command} needs a failure id; list the failures to find one`,
    );
  }
  return args.id;
}

async function replay(
  settings: Settings,
  failures: Failures,
  archive: BlobStore,
  args: ParsedArgs,
): Promise<Envelope> {
  const payload =
    args.payloadFile === undefined ? undefined : readJsonFile(args.payloadFile, 'Payload file');
  const client: ServiceBusClient = serviceBusClientFor(settings);
  const senders = new Map<string, QueueSender>();
  const senderFor = (kind: MessageKind) => {
    const queue = (toBcKinds as readonly string[]).includes(kind)
      ? settings.QUEUE_TO_BC
      : settings.QUEUE_TO_JASCI;
    let sender = senders.get(queue);
    if (!sender) {
      sender = new QueueSender(
        client.createSender(queue),
        archive,
        settings.CLAIM_CHECK_THRESHOLD_BYTES,
      );
      senders.set(queue, sender);
    }
    return sender;
  };
  try {
    return await replayFailure(
      { failures, archive, senderFor },
      requireId(args),
      payload === undefined
        ? undefined
        : (envelope) => ({ ...envelope, payload, payloadBlob: undefined }),
    );
  } finally {
    await client.close();
  }
}

/**
 * Runs `connector failures ...` and returns the exit code: 0 done, 1 invalid command line,
 * unreadable file or unknown failure id.
 */
export async function runFailuresCommand(
  argv: readonly string[],
  io: FailuresIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(failuresUsage);
    return 0;
  }
  const args = parseFailuresArgs(argv);
  const settings = settingsFrom(args.settingsFile, env);
  const failures = new Failures(tableClientFor(settings, TableName.Failures));
  const archive = new BlobStore(containerClientFor(settings));

  switch (args.command) {
    case 'list': {
      const records = await failures.list({ status: args.status, flow: args.flow });
      io.stdout(args.json ? `${JSON.stringify(records)}\n` : formatList(records));
      return 0;
    }
    case 'show': {
      const id = requireId(args);
      const record = await failures.get(id);
      if (!record)
        throw new FailuresUsageError(`Failure ${id} not found; list the failures to find its id`);
      const archived = record.blobName ? await archive.getJson(record.blobName) : undefined;
      io.stdout(`${JSON.stringify({ failure: record, archived }, null, 2)}\n`);
      return 0;
    }
    case 'replay': {
      const envelope = await replay(settings, failures, archive, args);
      io.stdout(
        `Replayed failure ${args.id} as ${envelope.kind} ${envelope.documentKey} (attempt 1)\n`,
      );
      return 0;
    }
    case 'resolve':
    case 'ignore': {
      const id = requireId(args);
      if (!(await failures.get(id))) {
        throw new FailuresUsageError(`Failure ${id} not found; list the failures to find its id`);
      }
      const status: FailureStatus = args.command === 'resolve' ? 'resolved' : 'ignored';
      await failures.setStatus(id, status);
      io.stdout(`Failure ${id} is now ${status}\n`);
      return 0;
    }
    default:
      throw new FailuresUsageError(
        `Unknown command ${args.command}; run with --help for the commands`,
      );
  }
}
