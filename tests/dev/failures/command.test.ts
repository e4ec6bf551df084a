import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFailuresCommand } from '../../../dev/failures/command';
import { LogAlerter } from '../../../shared/alerts/alert';
import { BlobStore, containerClientFor } from '../../../shared/archive/blobStore';
import { BusinessCode, BusinessError } from '../../../shared/errors';
import { parseEnvelope, type Envelope } from '../../../shared/messaging/envelope';
import { handleFailure } from '../../../shared/messaging/failureHandling';
import { QueueSender } from '../../../shared/messaging/queues';
import { silentLogger } from '../../../shared/logging';
import { Failures } from '../../../shared/state/failures';
import { ensureTables, tableClientFor, TableName } from '../../../shared/state/tables';
import { useAzurite } from '../../helpers/azurite';
import { receiveAll, useServiceBus } from '../../helpers/serviceBus';
import { minimalEnv } from '../../helpers/settingsEnv';

const azurite = useAzurite();
const serviceBus = useServiceBus();

function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env = {
    ...minimalEnv,
    ...azurite.env,
    ServiceBusConnection: serviceBus.connectionString,
  };
  return runFailuresCommand(
    argv,
    { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) },
    env,
  ).then((code) => ({ code, stdout, stderr }));
}

async function recordBusinessFailure(documentKey: string): Promise<string> {
  const settings = { ...azurite.settings };
  const store = new BlobStore(containerClientFor(settings));
  const failures = new Failures(tableClientFor(settings, TableName.Failures));
  const envelope: Envelope = {
    kind: 'salesOrder.upsert',
    documentKey,
    version: '2026-12-01T10:00:00.000Z',
    attempt: 1,
    firstEnqueuedAt: '2026-12-01T10:00:01.000Z',
    correlationId: `corr-${documentKey}`,
    payload: { number: documentKey, lines: [] },
  };
  const sender = new QueueSender(serviceBus.client.createSender('to-jasci'), store, 196_608);
  await handleFailure(
    {
      retrySender: sender,
      failures,
      archive: store,
      alerter: new LogAlerter(silentLogger),
      retryDelaysSeconds: [60],
      log: silentLogger,
    },
    'salesOrders',
    envelope,
    new BusinessError(
      BusinessCode.UnmappedLocation,
      `location SOUTH of ${documentKey} is not mapped`,
    ),
  );
  const record = (await failures.list()).find((f) => f.documentKey === documentKey);
  if (!record) throw new Error(`no failure recorded for ${documentKey}`);
  return record.id;
}

describe('connector failures', () => {
  beforeAll(async () => {
    await ensureTables(azurite.settings);
  });

  test('lists open failures as a table', async () => {
    const id = await recordBusinessFailure('SO-LIST');

    const result = await run(['list', '--status', 'open']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(id);
    expect(result.stdout).toContain('UNMAPPED_LOCATION');
    expect(result.stdout).toContain('SO-LIST');
  });

  test('shows the archived message', async () => {
    const id = await recordBusinessFailure('SO-SHOW');

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
    const id = await recordBusinessFailure('SO-REPLAY');
    const dir = mkdtempSync(path.join(tmpdir(), 'failures-'));
    const payloadFile = path.join(dir, 'payload.json');
    writeFileSync(
      payloadFile,
      JSON.stringify({ number: 'SO-REPLAY', lines: [{ sequence: 10000 }] }),
    );

    const result = await run(['replay', id, '--payload', payloadFile]);

    expect(result.code).toBe(0);
    const [message] = await receiveAll(serviceBus.client, 'to-jasci', 1);
    const parsed = parseEnvelope(message?.body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.envelope.documentKey).toBe('SO-REPLAY');
    expect(parsed.envelope.attempt).toBe(1);
    expect(parsed.envelope.payload).toEqual({ number: 'SO-REPLAY', lines: [{ sequence: 10000 }] });
    const listed = await run(['list', '--status', 'replayed', '--json']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((f) => f.id)).toContain(id);
  });

  test('resolves and ignores a failure', async () => {
    const resolved = await recordBusinessFailure('SO-RESOLVE');
    const ignored = await recordBusinessFailure('SO-IGNORE');

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
