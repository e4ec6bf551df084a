import { randomUUID } from 'node:crypto';
import type { Alerter } from '../alerts/alert';
import type { BlobStore } from '../archive/blobStore';
import { BusinessCode } from '../errors';
import type { Logger } from '../logging';
import { parseEnvelope, type Envelope } from '../messaging/envelope';
import type { FailureRecord, Failures } from '../state/failures';

export interface DeadLetterDeps {
  failures: Pick<Failures, 'record'>;
  archive: Pick<BlobStore, 'putJson'>;
  alerter: Alerter;
  log: Logger;
  now?: () => Date;
}

export interface DeadLetteredMessage {
  body: unknown;
  messageId?: string;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  deliveryCount?: number;
}

/** Flow names used in Failures rows, by message kind; other kinds fall back to the queue name. */
const flowByKindPrefix: Record<string, string> = {
  item: 'items',
  purchaseOrder: 'purchaseOrders',
  salesOrder: 'salesOrders',
  returnOrder: 'returns',
  returnReceipt: 'returns',
  receipt: 'receipts',
  shipment: 'shipments',
  inventory: 'inventory',
  cycleCount: 'inventory',
};

/**
 * Handles one message from a dead-letter queue: archives the body with Service Bus's reason,
 * records a `poison` failure with code DEAD_LETTERED and alerts. A body that is not a valid
 * envelope (or not JSON at all) is archived as it came, so this never throws because of the body.
 * Storage errors are thrown so that Service Bus hands the message over again.
 */
export async function handleDeadLetter(
  deps: DeadLetterDeps,
  queue: string,
  message: DeadLetteredMessage,
): Promise<FailureRecord> {
  const now = deps.now?.() ?? new Date();
  const messageId = message.messageId ?? `unidentified-${randomUUID()}`;
  const { envelope, problem } = readBody(message.body);

  const blobName = `dead-letter/${queue}/${now.toISOString().slice(0, 10)}/${blobSafe(messageId)}.json`;
  await deps.archive.putJson(blobName, {
    queue,
    messageId,
    deadLetterReason: message.deadLetterReason,
    deadLetterErrorDescription: message.deadLetterErrorDescription,
    deliveryCount: message.deliveryCount,
    archivedAt: now.toISOString(),
    ...(envelope ? { envelope } : { body: rawForArchive(message.body), bodyProblem: problem }),
  });

  const failure = await deps.failures.record({
    flow: (envelope && flowByKindPrefix[envelope.kind.split('.')[0] ?? '']) ?? queue,
    kind: envelope?.kind ?? 'unknown',
    documentKey: envelope?.documentKey ?? messageId,
    category: 'poison',
    code: BusinessCode.DeadLettered,
    message: describe(queue, message, problem),
    blobName,
    attempt: envelope?.attempt ?? message.deliveryCount ?? 1,
    correlationId: envelope?.correlationId ?? messageId,
  });
  // One line with this message per failure feeds the connector-failures alert and the workbook,
  // as for business errors and exhausted retries.
  deps.log.error('ConnectorFailure', {
    flow: failure.flow,
    kind: failure.kind,
    documentKey: failure.documentKey,
    code: failure.code,
    category: failure.category,
    queue,
    messageId,
    failureId: failure.id,
    deadLetterReason: message.deadLetterReason,
    blobName,
  });

  try {
    await deps.alerter.alert(failure);
  } catch (error) {
    // The failure row exists and shows on the dashboard; throwing would record it a second time.
    deps.log.error('Alert for dead-lettered message failed', {
      failureId: failure.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return failure;
}

/** Reads the body as an envelope when it is one: an object, a JSON string or JSON bytes. */
function readBody(body: unknown): { envelope?: Envelope; problem?: string } {
  let value = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    value = Buffer.from(body).toString('utf8');
  }
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { problem: 'body is not JSON' };
    }
  }
  const parsed = parseEnvelope(value);
  return parsed.ok
    ? { envelope: parsed.envelope }
    : { problem: `body is not a valid envelope: ${parsed.problem}` };
}

/** Keeps a body that is not an envelope in a form JSON can hold; bytes that are not UTF-8 go as base64. */
function rawForArchive(body: unknown): unknown {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    const bytes = Buffer.from(body);
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      return { base64: bytes.toString('base64') };
    }
  }
  if (body === undefined) return null;
  try {
    JSON.stringify(body);
    return body;
  } catch {
    // Circular structures and BigInt values cannot be archived as JSON; keep their type only.
    return { unserializable: Object.prototype.toString.call(body) };
  }
}

function describe(queue: string, message: DeadLetteredMessage, problem?: string): string {
  const reason = message.deadLetterReason ?? 'no reason given';
  const description = message.deadLetterErrorDescription
    ? `: ${message.deadLetterErrorDescription}`
    : '';
  const body = problem ? `; ${problem}` : '';
  return (
    `Service Bus dead-lettered the message on ${queue} (${reason}${description})${body}; ` +
    'read the archived message, fix the cause, then replay or ignore the failure'
  );
}

/** Blob names treat `/` as a folder separator; message ids keep other characters. */
function blobSafe(messageId: string): string {
  return messageId.replace(/[/\\?#]/g, '_');
}
