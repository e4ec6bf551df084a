import { existsSync, readFileSync } from 'node:fs';
import type { FailureStatus } from '../../shared/state/failures';

export const failuresUsage = `Usage: connector failures COMMAND [ID] [options]

Lists and settles the connector's recorded failures (the Failures table and the archived
messages). Options may come before or after the command.

Commands:
  list [--status open|replayed|resolved|ignored] [--flow FLOW] [--json]
  show ID                       prints the failure and its archived message as JSON
  replay ID [--payload FILE]    sends the archived message again at attempt 1; --payload replaces
                                its payload with the JSON in FILE (the corrected document)
  resolve ID                    closes the failure as fixed by other means
  ignore ID                     closes the failure without action

Options:
  --force           replay, resolve or ignore a failure whose status is not open
  --settings FILE   app settings: a local.settings.json ("Values") or a flat JSON object;
                    default ./local.settings.json when it exists, then the environment
  --help            print this text

Replacement payloads are validated before sending for the kinds salesOrder.upsert (a sales order
snapshot) and shipment.post (a JASCI shipment.closed event); payloads of other kinds are sent
unchecked.

Settings read: DataStorageConnection, or DataStorage__tableServiceUri and
DataStorage__blobServiceUri (with AZURE_CLIENT_ID, or DefaultAzureCredential when it is unset);
ARCHIVE_CONTAINER; for replay also ServiceBusConnection or
ServiceBusConnection__fullyQualifiedNamespace, QUEUE_TO_JASCI, QUEUE_TO_BC and
CLAIM_CHECK_THRESHOLD_BYTES.

Exit codes: 0 done, 1 invalid command line or settings, unreadable file, invalid payload,
unknown failure id, or a failure that is not open without --force.
`;

/** An invalid command line or input file, or a failure id that does not exist. */
export class FailuresUsageError extends Error {}

export const failureCommands = ['list', 'show', 'replay', 'resolve', 'ignore'] as const;
export type FailureCommand = (typeof failureCommands)[number];

const statuses: readonly FailureStatus[] = ['open', 'replayed', 'resolved', 'ignored'];

export type FailuresArgs =
  | { command: 'list'; status?: FailureStatus; flow?: string; json: boolean; settingsFile?: string }
  | { command: 'show'; id: string; settingsFile?: string }
  | { command: 'replay'; id: string; force: boolean; payload?: PayloadFile; settingsFile?: string }
  | { command: 'resolve' | 'ignore'; id: string; force: boolean; settingsFile?: string };

/** A replacement payload, read and parsed before any setting is read. */
export interface PayloadFile {
  file: string;
  value: unknown;
}

/** Every option as written, before checking that it fits the command. */
interface RawArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

const valueOptions = new Set(['--status', '--flow', '--payload', '--settings']);
const flagOptions = new Set(['--json', '--force']);

/** Options that only some commands take; `--settings` is valid with every command. */
const optionCommands: Readonly<Record<string, readonly FailureCommand[]>> = {
  '--status': ['list'],
  '--flow': ['list'],
  '--json': ['list'],
  '--payload': ['replay'],
  '--force': ['replay', 'resolve', 'ignore'],
};

function splitArgs(argv: readonly string[]): RawArgs {
  const raw: RawArgs = { positionals: [], options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      raw.positionals.push(arg);
      continue;
    }
    if (raw.options.has(arg)) {
      throw new FailuresUsageError(`${arg} is given twice; give it once`);
    }
    if (flagOptions.has(arg)) {
      raw.options.set(arg, true);
    } else if (valueOptions.has(arg)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new FailuresUsageError(`${arg} needs a value; run with --help for the options`);
      }
      raw.options.set(arg, value);
      i++;
    } else {
      throw new FailuresUsageError(`Unknown option ${arg}; run with --help for the options`);
    }
  }
  return raw;
}

function isCommand(word: string): word is FailureCommand {
  return (failureCommands as readonly string[]).includes(word);
}

/** Returns the value of a value option; `splitArgs` never stores `true` for one. */
function valueOf(raw: RawArgs, option: string): string | undefined {
  const value = raw.options.get(option);
  return typeof value === 'string' ? value : undefined;
}

function parseStatus(value: string | undefined): FailureStatus | undefined {
  if (value === undefined) return undefined;
  const status = statuses.find((s) => s === value);
  if (status === undefined) {
    throw new FailuresUsageError(`--status must be one of ${statuses.join(', ')}, not ${value}`);
  }
  return status;
}

/** Reads a JSON file given on the command line; a byte order mark is skipped. */
export function readJsonFile(file: string, description: string): unknown {
  if (!existsSync(file)) throw new FailuresUsageError(`${description} ${file} not found`);
  try {
    return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new FailuresUsageError(
      `${description} ${file} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * Parses and checks the whole command line: options anywhere, the first other word is the
 * command and the second the failure id. Reads the --payload file too, so that every problem in
 * the input is reported before any setting is read.
 */
export function parseFailuresArgs(argv: readonly string[]): FailuresArgs {
  const raw = splitArgs(argv);
  const [command, id, extra] = raw.positionals;
  if (command === undefined) throw new FailuresUsageError(failuresUsage);
  if (!isCommand(command)) {
    throw new FailuresUsageError(`Unknown command ${command}; run with --help for the commands`);
  }
  if (extra !== undefined) {
    throw new FailuresUsageError(`Unexpected argument ${extra}; give one failure id`);
  }
  for (const option of raw.options.keys()) {
    const commands = optionCommands[option];
    if (commands !== undefined && !commands.includes(command)) {
      throw new FailuresUsageError(
        `${option} does not apply to ${command}; it is for ${commands.join(', ')}`,
      );
    }
  }

  const settingsFile = valueOf(raw, '--settings');
  if (command === 'list') {
    if (id !== undefined) {
      throw new FailuresUsageError(
        `Unexpected argument ${id}; list takes no failure id (use show ${id})`,
      );
    }
    return {
      command,
      status: parseStatus(valueOf(raw, '--status')),
      flow: valueOf(raw, '--flow'),
      json: raw.options.has('--json'),
      settingsFile,
    };
  }

  if (id === undefined || id.trim() === '') {
    throw new FailuresUsageError(`${command} needs a failure id; list the failures to find one`);
  }
  if (command === 'show') return { command, id, settingsFile };
  const force = raw.options.has('--force');
  if (command === 'replay') {
    const file = valueOf(raw, '--payload');
    const payload =
      file === undefined ? undefined : { file, value: readJsonFile(file, 'Payload file') };
    return { command, id, force, payload, settingsFile };
  }
  return { command, id, force, settingsFile };
}
