import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../../dev/cli';
import { FailuresUsageError, runFailuresCommand } from '../../../dev/failures/command';
import { loadReplaySettings, loadStorageSettings } from '../../../dev/failures/settings';
import { LogAlerter } from '../../../shared/alerts/alert';
import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { BusinessCode, BusinessError, ConfigError } from '../../../shared/errors';
import { parseEnvelope, type Envelope, type MessageKind } from '../../../shared/messaging/envelope';
import { handleFailure } from '../../../shared/messaging/failureHandling';
import { QueueSender } from '../../../shared/messaging/queues';
import { silentLogger } from '../../../shared/logging';
import { Failures, type FailureStatus } from '../../../shared/state/failures';
import { ensureTables, tableClientFor, TableName } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';
import { receiveAll, useServiceBus } from '../../helpers/serviceBus';

const azurite = useAzurite();
const serviceBus = useServiceBus();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Returns the only settings the command gets: data storage and Service Bus. The BC and JASCI
 * settings that the app requires are left out on purpose.
 */
function commandEnv(): Record<string, string> {
  return { ...azurite.env, ServiceBusConnection: serviceBus.connectionString };
}

async function run(
  argv: string[],
  env: Record<string, string | undefined> = commandEnv(),
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runFailuresCommand(
    argv,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    env,
  );
  return { code, stdout, stderr };
}

/** Runs through the CLI entry point, which turns thrown errors into stderr and an exit code. */
async function runThroughCli(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['failures', ...argv], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'failures-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function writeScratch(name: string, content: unknown): string {
  const file = path.join(scratch, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** Writes a settings file in local.settings.json form with only data storage and Service Bus. */
function writeSettingsFile(): string {
  return writeScratch('local.settings.json', { IsEncrypted: false, Values: commandEnv() });
}

const validSalesOrder = (number: string) => ({
  id: `id-${number}`,
  number,
  status: 'Open',
  lastModifiedDateTime: '2026-12-01T10:00:00.000Z',
  shipTo: { name: 'Contoso', city: 'Seattle' },
  lines: [
    {
      id: `line-${number}`,
      sequence: 10000,
      lineType: 'Item',
      lineObjectNumber: 'ITEM-1',
      quantity: 2,
      shippedQuantity: 0,
    },
  ],
});

const validShipment = (orderNumber: string) => ({
  event: 'shipment.closed',
  eventId: `evt-${orderNumber}`,
  timestamp: '2026-12-02T08:00:00Z',
  shipmentNumber: `SH-${orderNumber}`,
  orderNumber,
  erpOrderNumber: orderNumber,
  warehouseCode: 'WH1',
  lines: [{ lineNumber: 10000, product: 'ITEM-1', quantity: 2, uom: 'PCS' }],
});

const flowOf: Partial<Record<MessageKind, string>> = {
  'salesOrder.upsert': 'salesOrders',
  'shipment.post': 'shipments',
  'item.upsert': 'items',
};

/** Records a business failure the way a worker does, and returns its id. */
async function recordFailure(
  documentKey: string,
  kind: MessageKind = 'salesOrder.upsert',
  payload: unknown = { number: documentKey, lines: [] },
): Promise<string> {
  const settings = azurite.settings;
  const store = new BlobStore(containerClientFor(settings));
  const failures = new Failures(tableClientFor(settings, TableName.Failures));
  const envelope: Envelope = {
    kind,
    documentKey,
    version: '2026-12-01T10:00:00.000Z',
    attempt: 1,
    firstEnqueuedAt: '2026-12-01T10:00:01.000Z',
    correlationId: `corr-${documentKey}`,
    payload,
  };
  const sender = new QueueSender(serviceBus.client.createSender('to-jasci'), store, 196_608);
  const flow = flowOf[kind] ?? 'other';
  await handleFailure(
    {
      retrySender: sender,
      failures,
      archive: store,
      alerter: new LogAlerter(silentLogger),
      retryDelaysSeconds: [60],
      log: silentLogger,
    },
    flow,
    envelope,
    new BusinessError(BusinessCode.InvalidPayload, `payload of ${documentKey} is not valid`),
  );
  const record = (await failures.list()).find((f) => f.documentKey === documentKey);
  if (!record) throw new Error(`no failure recorded for ${documentKey}`);
  return record.id;
}

async function statusOf(id: string): Promise<FailureStatus | undefined> {
  const failures = new Failures(tableClientFor(azurite.settings, TableName.Failures));
  return (await failures.get(id))?.status;
}

async function setStatus(id: string, status: FailureStatus): Promise<void> {
  await new Failures(tableClientFor(azurite.settings, TableName.Failures)).setStatus(id, status);
}

/** Receives the one replayed message from `queue` and returns its envelope. */
async function receiveEnvelope(queue: string): Promise<Envelope> {
  const [message] = await receiveAll(serviceBus.client, queue, 1);
  const parsed = parseEnvelope(message?.body);
  if (!parsed.ok) throw new Error(`no valid envelope on ${queue}: ${parsed.problem}`);
  return parsed.envelope;
}

/** Returns how many messages arrive on `queue` within half a second (all are completed). */
async function drainCount(queue: string): Promise<number> {
  return (await receiveAll(serviceBus.client, queue, 10, 500)).length;
}

beforeAll(async () => {
  await ensureTables(azurite.settings);
});

describe('connector failures', () => {
  test('lists open failures as a table', async () => {
    const id = await recordFailure('SO-LIST');

    const result = await run(['list', '--status', 'open']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(id);
    expect(result.stdout).toContain('INVALID_PAYLOAD');
    expect(result.stdout).toContain('SO-LIST');
  });

  test('shows the archived message', async () => {
    const id = await recordFailure('SO-SHOW');

    const result = await run(['show', id]);

    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout) as {
      failure: { id: string };
      archived: { envelope: Envelope };
    };
    expect(shown.failure.id).toBe(id);
    expect(shown.archived.envelope.documentKey).toBe('SO-SHOW');
  });

  test('replays with a corrected payload', async () => {
    const id = await recordFailure('SO-REPLAY');
    const payloadFile = writeScratch('so-replay.json', validSalesOrder('SO-REPLAY'));

    const result = await run(['replay', id, '--payload', payloadFile]);

    expect(result.code).toBe(0);
    const envelope = await receiveEnvelope('to-jasci');
    expect(envelope.documentKey).toBe('SO-REPLAY');
    expect(envelope.attempt).toBe(1);
    expect(envelope.payload).toEqual(validSalesOrder('SO-REPLAY'));
    const listed = await run(['list', '--status', 'replayed', '--json']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((f) => f.id)).toContain(id);
  });

  test('resolves and ignores a failure', async () => {
    const resolved = await recordFailure('SO-RESOLVE');
    const ignored = await recordFailure('SO-IGNORE');

    expect((await run(['resolve', resolved])).stdout).toContain('resolved');
    expect((await run(['ignore', ignored])).stdout).toContain('ignored');

    const open = await run(['list', '--status', 'open', '--json']);
    const ids = (JSON.parse(open.stdout) as { id: string }[]).map((f) => f.id);
    expect(ids).not.toContain(resolved);
    expect(ids).not.toContain(ignored);
  });

  test('rejects an unknown id and bad options', async () => {
    await expect(run(['resolve', 'no-such-id'])).rejects.toThrow('Failure no-such-id not found');
    await expect(run(['list', '--status', 'done'])).rejects.toThrow('--status must be one of');
    await expect(run(['replay'])).rejects.toThrow('replay needs a failure id');
  });
});

describe('command line', () => {
  test('accepts options before the command', async () => {
    const id = await recordFailure('SO-OPTIONS-FIRST');
    const settingsFile = writeSettingsFile();

    const listed = await runThroughCli(['--settings', settingsFile, 'list']);
    const filtered = await run(['--status', 'open', '--json', 'list']);
    const resolved = await runThroughCli(['--settings', settingsFile, 'resolve', id]);

    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect((JSON.parse(filtered.stdout) as { id: string }[]).map((f) => f.id)).toContain(id);
    expect(resolved.code).toBe(0);
    expect(await statusOf(id)).toBe('resolved');
  });

  test('accepts options between command and id', async () => {
    const id = await recordFailure('SO-OPTIONS-MIDDLE');
    const payloadFile = writeScratch('so-middle.json', validSalesOrder('SO-OPTIONS-MIDDLE'));

    const result = await run(['replay', '--payload', payloadFile, id]);

    expect(result.code).toBe(0);
    expect((await receiveEnvelope('to-jasci')).documentKey).toBe('SO-OPTIONS-MIDDLE');
  });

  test('rejects a third word', async () => {
    await expect(run(['show', 'a', 'b'])).rejects.toThrow('Unexpected argument b');
  });

  test('rejects an id after list', async () => {
    await expect(run(['list', 'abc'])).rejects.toThrow('list takes no failure id');
  });

  test('rejects options of another command', async () => {
    await expect(run(['show', 'abc', '--payload', 'x.json'])).rejects.toThrow(
      '--payload does not apply to show',
    );
    await expect(run(['list', '--force'])).rejects.toThrow('--force does not apply to list');
    await expect(run(['resolve', 'abc', '--json'])).rejects.toThrow(
      '--json does not apply to resolve',
    );
  });

  test('help names the checked payload kinds', async () => {
    const result = await run(['replay', '--help'], {});

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('salesOrder.upsert');
    expect(result.stdout).toContain('shipment.post');
  });

  test('rejects a repeated option', async () => {
    await expect(run(['list', '--flow', 'a', '--flow', 'b'])).rejects.toThrow(
      '--flow is given twice',
    );
  });
});

describe('command line checked before settings', () => {
  const noSettings = {};

  test('no command prints the usage', async () => {
    const missingFile = path.join(scratch, 'missing-settings.json');

    const cli = await runThroughCli(['--settings', missingFile]);
    const direct = run(['--settings', missingFile], noSettings);

    await expect(direct).rejects.toThrow(FailuresUsageError);
    await expect(direct).rejects.toThrow('Usage: connector failures');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('Usage: connector failures');
    expect(cli.stderr).not.toContain('configuration');
  });

  test('unknown command reported without settings', async () => {
    const result = run(['frob'], noSettings);

    await expect(result).rejects.toThrow(FailuresUsageError);
    await expect(result).rejects.toThrow('Unknown command frob');
  });

  test('missing id reported without settings', async () => {
    await expect(run(['show'], noSettings)).rejects.toThrow('show needs a failure id');
  });

  test('unreadable payload file reported without settings', async () => {
    const missing = path.join(scratch, 'no-payload.json');
    const notJson = path.join(scratch, 'not-json.json');
    writeFileSync(notJson, '{ not json');

    await expect(run(['replay', 'x', '--payload', missing], noSettings)).rejects.toThrow(
      `Payload file ${missing} not found`,
    );
    await expect(run(['replay', 'x', '--payload', notJson], noSettings)).rejects.toThrow(
      'is not valid JSON',
    );
  });

  test('valid command line without settings names them', async () => {
    const result = run(['list'], noSettings);

    await expect(result).rejects.toThrow(ConfigError);
    await expect(result).rejects.toThrow('DataStorageConnection: missing');
  });
});

describe('settings', () => {
  test('list needs only data storage', async () => {
    const id = await recordFailure('SO-STORAGE-ONLY');

    const result = await run(['list', '--json'], azurite.env);

    expect((JSON.parse(result.stdout) as { id: string }[]).map((f) => f.id)).toContain(id);
  });

  test('storage endpoints without the blob endpoint', () => {
    const load = () =>
      loadStorageSettings({ DataStorage__tableServiceUri: 'https://account.table.example/' });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow('DataStorage__blobServiceUri');
  });

  test('storage endpoints are enough', () => {
    const settings = loadStorageSettings({
      DataStorage__tableServiceUri: 'https://account.table.example/',
      DataStorage__blobServiceUri: 'https://account.blob.example/',
    });

    expect(settings.DataStorageConnection).toBeUndefined();
    expect(settings.ARCHIVE_CONTAINER).toBe('failed-messages');
  });

  test('invalid field named', () => {
    const load = () =>
      loadStorageSettings({
        DataStorageConnection: 'UseDevelopmentStorage=true',
        ARCHIVE_CONTAINER: 'Bad_Name',
      });

    expect(load).toThrow('ARCHIVE_CONTAINER: must be a valid blob container name');
  });

  test('replay needs Service Bus', async () => {
    const id = await recordFailure('SO-NO-BUS');

    const result = run(['replay', id], azurite.env);

    await expect(result).rejects.toThrow(ConfigError);
    await expect(result).rejects.toThrow('ServiceBusConnection: missing');
    expect(await statusOf(id)).toBe('open');
  });

  test('replay settings take defaults', () => {
    const settings = loadReplaySettings({
      DataStorageConnection: 'UseDevelopmentStorage=true',
      ServiceBusConnection__fullyQualifiedNamespace: 'example.servicebus.windows.net',
    });

    expect(settings.QUEUE_TO_JASCI).toBe('to-jasci');
    expect(settings.QUEUE_TO_BC).toBe('to-bc');
    expect(settings.CLAIM_CHECK_THRESHOLD_BYTES).toBe(196608);
  });
});

describe('ids and settings files', () => {
  test('id with a slash is not found', async () => {
    await expect(run(['show', 'a/b'])).rejects.toThrow('Failure a/b not found');
  });

  test('empty id is a usage error', async () => {
    await expect(run(['show', ''])).rejects.toThrow('show needs a failure id');
  });

  test('empty file value keeps the environment', async () => {
    const file = writeScratch('empty-values.json', { Values: { DataStorageConnection: '' } });

    const result = await run(['list', '--settings', file]);

    expect(result.code).toBe(0);
  });
});

describe('replay', () => {
  test('unknown id is not found', async () => {
    const cli = await runThroughCli(['--settings', writeSettingsFile(), 'replay', 'no-such-id']);
    const direct = run(['replay', '9999999999999-00000000']);

    await expect(direct).rejects.toThrow(FailuresUsageError);
    await expect(direct).rejects.toThrow('Failure 9999999999999-00000000 not found');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('Failure no-such-id not found');
    expect(cli.stderr).not.toContain('Unexpected error');
  });

  test('sends a shipment to the BC queue', async () => {
    const id = await recordFailure('SO-SHIP-OK', 'shipment.post', validShipment('SO-SHIP-OK'));

    const result = await run(['replay', id]);

    expect(result.code).toBe(0);
    const envelope = await receiveEnvelope('to-bc');
    expect(envelope.kind).toBe('shipment.post');
    expect(envelope.payload).toEqual(validShipment('SO-SHIP-OK'));
  });
});

describe('settled failures', () => {
  test.each([
    ['replay', 'replayed'],
    ['replay', 'resolved'],
    ['resolve', 'resolved'],
    ['resolve', 'ignored'],
    ['ignore', 'resolved'],
    ['ignore', 'replayed'],
  ] as const)('%s of %s failure is rejected', async (command, status) => {
    const id = await recordFailure(`SO-SETTLED-${command}-${status}`);
    await setStatus(id, status);

    const result = run([command, id]);

    await expect(result).rejects.toThrow(FailuresUsageError);
    await expect(result).rejects.toThrow(`is ${status}, not open; give --force`);
    expect(await statusOf(id)).toBe(status);
  });

  test('replay with --force sends again', async () => {
    const id = await recordFailure('SO-FORCE-REPLAY');
    await setStatus(id, 'replayed');

    const result = await run(['replay', '--force', id]);

    expect(result.code).toBe(0);
    expect((await receiveEnvelope('to-jasci')).documentKey).toBe('SO-FORCE-REPLAY');
  });

  test('ignore with --force overrides resolved', async () => {
    const id = await recordFailure('SO-FORCE-IGNORE');
    await setStatus(id, 'resolved');

    const result = await run(['ignore', id, '--force']);

    expect(result.code).toBe(0);
    expect(await statusOf(id)).toBe('ignored');
  });
});

describe('replacement payload', () => {
  test('invalid shipment is not sent', async () => {
    const id = await recordFailure('SO-SHIP-BAD', 'shipment.post', validShipment('SO-SHIP-BAD'));
    const payloadFile = writeScratch('shipment-bad.json', { event: 'shipment.closed' });

    const result = run(['replay', id, '--payload', payloadFile]);

    await expect(result).rejects.toThrow(FailuresUsageError);
    await expect(result).rejects.toThrow('is not a valid shipment.post payload');
    await expect(result).rejects.toThrow('shipmentNumber: missing');
    expect(await drainCount('to-bc')).toBe(0);
    expect(await statusOf(id)).toBe('open');
  });

  test('shipment line field named by its path', async () => {
    const id = await recordFailure('SO-SHIP-LINE', 'shipment.post', validShipment('SO-SHIP-LINE'));
    const shipment = validShipment('SO-SHIP-LINE');
    const payloadFile = writeScratch('shipment-line.json', {
      ...shipment,
      lines: [{ ...shipment.lines[0], quantity: 0 }],
    });

    await expect(run(['replay', id, '--payload', payloadFile])).rejects.toThrow(
      'lines[0].quantity: must be greater than 0',
    );
    expect(await drainCount('to-bc')).toBe(0);
  });

  test('corrected shipment is sent', async () => {
    const id = await recordFailure('SO-SHIP-FIX', 'shipment.post', { event: 'shipment.closed' });
    const payloadFile = writeScratch('shipment-fix.json', validShipment('SO-SHIP-FIX'));

    const result = await run(['replay', id, '--payload', payloadFile]);

    expect(result.code).toBe(0);
    expect((await receiveEnvelope('to-bc')).payload).toEqual(validShipment('SO-SHIP-FIX'));
  });

  test('invalid sales order is not sent', async () => {
    const id = await recordFailure('SO-ORDER-BAD');
    const order = validSalesOrder('SO-ORDER-BAD');
    const payloadFile = writeScratch('order-bad.json', {
      ...order,
      lines: [{ ...order.lines[0], sequence: 0 }],
    });

    const result = run(['replay', id, '--payload', payloadFile]);

    await expect(result).rejects.toThrow('is not a valid salesOrder.upsert payload');
    await expect(result).rejects.toThrow('lines.0.sequence');
    expect(await drainCount('to-jasci')).toBe(0);
    expect(await statusOf(id)).toBe('open');
  });

  test('other kinds are sent unchecked', async () => {
    const id = await recordFailure('ITEM-1', 'item.upsert', { number: 'ITEM-1' });
    const payloadFile = writeScratch('item.json', { anything: true });

    const result = await run(['replay', id, '--payload', payloadFile]);

    expect(result.code).toBe(0);
    expect((await receiveEnvelope('to-jasci')).payload).toEqual({ anything: true });
  });
});
