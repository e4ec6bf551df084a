import type { Alerter } from '../alerts/alert';
import type { BlobStore } from '../archive/blobStore';
import { failureArchiveName, type ArchivedFailure } from '../archive/failureArchive';
import { BusinessCode, isBusiness, isTransient, type ConnectorError } from '../errors';
import type { Logger } from '../logging';
import type { FailureCategory, FailureRecord, Failures } from '../state/failures';
import { resolvePayload } from './claimCheck';
import { messageIdFor, type Envelope } from './envelope';
import type { QueueSender } from './queues';
import { retryDelayMs } from './retry';

export interface FailureDeps {
  /** Sender of the queue the failed message came from; retry copies go back there. */
  retrySender: QueueSender;
  failures: Failures;
  archive: BlobStore;
  alerter: Alerter;
  retryDelaysSeconds: readonly number[];
  log: Logger;
  now?: () => Date;
  /**
   * Returns a number in [0, 1) that spreads each retry up to 20% later, so that messages that
   * failed together (a burst for one order, an outage) do not all come back at the same moment.
   * Default Math.random.
   */
  jitter?: () => number;
}

/** Largest share by which jitter delays a retry. */
const maxJitterRatio = 0.2;

interface ParkedError {
  code: string;
  category: FailureCategory;
  message: string;
  details: Record<string, unknown>;
}

function logFields(flow: string, envelope: Envelope) {
  return {
    flow,
    kind: envelope.kind,
    documentKey: envelope.documentKey,
    version: envelope.version,
    attempt: envelope.attempt,
    messageId: messageIdFor(envelope),
    correlationId: envelope.correlationId,
  };
}

/**
 * Handles an error thrown while processing `envelope` in `flow`, so the caller can complete the
 * message:
 * - TransientError: schedules a copy with attempt + 1 after the configured delay (or the longer
 *   Retry-After). After the last delay the message is exhausted: archived, recorded as
 *   RETRIES_EXHAUSTED and alerted.
 * - BusinessError: archived, recorded with its code and alerted, without a retry.
 * - Anything else is re-thrown, so Service Bus redelivers the message and finally dead-letters it.
 */
export async function handleFailure(
  deps: FailureDeps,
  flow: string,
  envelope: Envelope,
  error: unknown,
): Promise<'retried' | 'exhausted' | 'business'> {
  if (isTransient(error)) {
    const now = deps.now?.() ?? new Date();
    const delayMs = retryDelayMs(envelope.attempt, deps.retryDelaysSeconds, error.retryAfterMs);
    if (delayMs !== undefined) {
      const spreadMs = Math.floor((deps.jitter ?? Math.random)() * maxJitterRatio * delayMs);
      const dueAt = new Date(now.getTime() + delayMs + spreadMs);
      await scheduleRetry(deps, flow, envelope, error, dueAt);
      return 'retried';
    }
    await park(deps, flow, envelope, {
      code: BusinessCode.RetriesExhausted,
      category: 'transient',
      message: `Retries exhausted after attempt ${envelope.attempt}; last error ${error.code}: ${error.message}`,
      details: { ...error.details, lastCode: error.code },
    });
    return 'exhausted';
  }
  if (isBusiness(error)) {
    await park(deps, flow, envelope, {
      code: error.code,
      category: 'business',
      message: error.message,
      details: error.details,
    });
    return 'business';
  }
  throw error;
}

async function scheduleRetry(
  deps: FailureDeps,
  flow: string,
  envelope: Envelope,
  error: ConnectorError & { retryAfterMs?: number },
  dueAt: Date,
): Promise<void> {
  const fields = { ...logFields(flow, envelope), code: error.code, category: error.category };
  deps.log.warn('Message processing failed', { ...fields, error: error.message });
  const copy: Envelope = { ...envelope, attempt: envelope.attempt + 1 };
  await deps.retrySender.schedule(copy, dueAt);
  deps.log.info('Retry scheduled', {
    ...fields,
    nextAttempt: copy.attempt,
    nextMessageId: messageIdFor(copy),
    dueAt: dueAt.toISOString(),
  });
}

/** Archives the message, records the failure and alerts; the message is then complete. */
async function park(
  deps: FailureDeps,
  flow: string,
  envelope: Envelope,
  failure: ParkedError,
): Promise<FailureRecord> {
  const now = deps.now?.() ?? new Date();
  const blobName = await archiveFailure(deps, flow, envelope, failure, now);
  const record = await deps.failures.record({
    flow,
    kind: envelope.kind,
    documentKey: envelope.documentKey,
    category: failure.category,
    code: failure.code,
    message: failure.message,
    blobName,
    attempt: envelope.attempt,
    correlationId: envelope.correlationId,
  });
  // Alert rules in Azure count the lines with this message.
  deps.log.error('ConnectorFailure', {
    ...logFields(flow, envelope),
    code: failure.code,
    category: failure.category,
    error: failure.message,
    failureId: record.id,
    blobName,
  });
  try {
    await deps.alerter.alert(record);
  } catch (alertError) {
    // The failure is recorded; re-throwing would redeliver the message and record it twice.
    deps.log.error('Alert failed', {
      failureId: record.id,
      flow,
      code: failure.code,
      error: alertError,
    });
  }
  return record;
}

async function archiveFailure(
  deps: FailureDeps,
  flow: string,
  envelope: Envelope,
  failure: ParkedError,
  now: Date,
): Promise<string> {
  const archived: ArchivedFailure = {
    flow,
    envelope,
    error: failure,
    attempt: envelope.attempt,
    archivedAt: now.toISOString(),
  };
  if (envelope.payloadBlob !== undefined) {
    try {
      const payload = await resolvePayload(envelope, deps.archive);
      const resolved: Envelope = { ...envelope, payload };
      delete resolved.payloadBlob;
      archived.envelope = resolved;
    } catch (error) {
      archived.payloadError = error instanceof Error ? error.message : String(error);
    }
  }
  const name = failureArchiveName(flow, now, messageIdFor(envelope));
  return deps.archive.putJson(name, archived);
}
