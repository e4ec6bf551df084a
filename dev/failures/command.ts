import { formatColumns } from '../textTable';
import type { ServiceBusClient } from '@azure/service-bus';
import { BlobStore, containerClientFor } from '../../shared/archive/blobStore';
import { toBcKinds, type Envelope, type MessageKind } from '../../shared/messaging/envelope';
import { QueueSender, serviceBusClientFor } from '../../shared/messaging/queues';
import { Failures, type FailureRecord, type FailureStatus } from '../../shared/state/failures';
import { replayFailure } from '../../shared/state/replay';
import { tableClientFor, TableName } from '../../shared/state/tables';
import {
  failuresUsage,
  FailuresUsageError,
  parseFailuresArgs,
  type FailuresArgs,
  type PayloadFile,
} from './args';
import { payloadProblems } from './payload';
import {
  loadReplaySettings,
  loadStorageSettings,
  settingValuesFrom,
  type ReplaySettings,
  type StorageSettings,
} from './settings';

export { failuresUsage, FailuresUsageError, parseFailuresArgs } from './args';

/** Output streams of the command; tests capture both. */
export interface FailuresIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

interface Stores {
  failures: Failures;
  archive: BlobStore;
}

function storesFor(settings: StorageSettings): Stores {
  return {
    failures: new Failures(tableClientFor(settings, TableName.Failures)),
    archive: new BlobStore(containerClientFor(settings)),
  };
}

function formatList(records: readonly FailureRecord[]): string {
  if (records.length === 0) return 'No failures.\n';
  const rows = records.map((f) => [f.id, f.status, f.flow, f.code, f.documentKey, f.lastSeen]);
  const header = ['id', 'status', 'flow', 'code', 'document', 'last seen'];
  return `${formatColumns([header, ...rows]).join('\n')}\n`;
}

async function findFailure(failures: Failures, id: string): Promise<FailureRecord> {
  const record = await failures.get(id);
  if (!record) {
    throw new FailuresUsageError(`Failure ${id} not found; list the failures to find its id`);
  }
  return record;
}

/** Throws unless the failure is open or the operator gave --force. */
function requireOpen(record: FailureRecord, command: string, force: boolean): void {
  if (record.status === 'open' || force) return;
  throw new FailuresUsageError(
    `Failure ${record.id} is ${record.status}, not open; give --force to ${command} it anyway`,
  );
}

/** Returns `envelope` with the replacement payload, after validating it for the envelope's kind. */
function withPayload(envelope: Envelope, payload: PayloadFile): Envelope {
  const problems = payloadProblems(envelope.kind, payload.value);
  if (problems.length > 0) {
    throw new FailuresUsageError(
      `Payload file ${payload.file} is not a valid ${envelope.kind} payload; fix these fields and replay again:\n  - ${problems.join('\n  - ')}`,
    );
  }
  return { ...envelope, payload: payload.value, payloadBlob: undefined };
}

async function replay(
  settings: ReplaySettings,
  stores: Stores,
  id: string,
  payload: PayloadFile | undefined,
): Promise<Envelope> {
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
        stores.archive,
        settings.CLAIM_CHECK_THRESHOLD_BYTES,
      );
      senders.set(queue, sender);
    }
    return sender;
  };
  try {
    return await replayFailure(
      { ...stores, senderFor },
      id,
      payload === undefined ? undefined : (envelope) => withPayload(envelope, payload),
    );
  } finally {
    await client.close();
  }
}

async function execute(
  args: FailuresArgs,
  values: Readonly<Record<string, string | undefined>>,
  io: FailuresIo,
): Promise<number> {
  switch (args.command) {
    case 'list': {
      const { failures } = storesFor(loadStorageSettings(values));
      const records = await failures.list({ status: args.status, flow: args.flow });
      io.stdout(args.json ? `${JSON.stringify(records)}\n` : formatList(records));
      return 0;
    }
    case 'show': {
      const { failures, archive } = storesFor(loadStorageSettings(values));
      const record = await findFailure(failures, args.id);
      const archived = record.blobName ? await archive.getJson(record.blobName) : undefined;
      io.stdout(`${JSON.stringify({ failure: record, archived }, null, 2)}\n`);
      return 0;
    }
    case 'replay': {
      const settings = loadReplaySettings(values);
      const stores = storesFor(settings);
      requireOpen(await findFailure(stores.failures, args.id), 'replay', args.force);
      // NOTE: the status is checked here and set after the send, so two operators replaying
      // the same failure at once can both send it.
      const envelope = await replay(settings, stores, args.id, args.payload);
      io.stdout(
        `Replayed failure ${args.id} as ${envelope.kind} ${envelope.documentKey} (attempt 1)\n`,
      );
      return 0;
    }
    case 'resolve':
    case 'ignore': {
      const { failures } = storesFor(loadStorageSettings(values));
      requireOpen(await findFailure(failures, args.id), args.command, args.force);
      const status: FailureStatus = args.command === 'resolve' ? 'resolved' : 'ignored';
      await failures.setStatus(args.id, status);
      io.stdout(`Failure ${args.id} is now ${status}\n`);
      return 0;
    }
  }
}

/**
 * Runs `connector failures ...` and returns 0 when done. Throws FailuresUsageError for an invalid
 * command line or file, an invalid payload, an unknown failure id or a settled failure without
 * --force, and ConfigError for missing settings; the CLI prints these and exits with 1. The
 * command line is checked in full before any setting is read.
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
  return execute(args, settingValuesFrom(args.settingsFile, env), io);
}
