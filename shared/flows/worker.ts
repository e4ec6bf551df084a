import { BusinessCode, BusinessError } from '../errors';
import { handleFailure, type FailureDeps } from '../messaging/failureHandling';
import { parseEnvelope, type Envelope } from '../messaging/envelope';
import type { Logger } from '../logging';
import type { QueueSender } from '../messaging/queues';
import type { Runtime } from '../runtime';

/** The failure-handling dependencies every function builds the same way from the runtime. */
export function failureDepsFor(rt: Runtime, log: Logger, retrySender: QueueSender): FailureDeps {
  return {
    retrySender,
    failures: rt.failures,
    archive: rt.store,
    alerter: rt.alerter,
    retryDelaysSeconds: rt.settings.RETRY_DELAYS_SECONDS,
    log,
  };
}

/** Outcome of one message (`delivered`, `posted`, `retried`, ...), logged for dashboards and the demo. */
export type WorkerOutcome = string;

export interface WorkerInput {
  flow: string;
  body: unknown;
  messageId?: string;
  deliveryCount?: number;
}

/**
 * Runs one queue message through `handle` and settles its failures:
 * transient errors become a scheduled retry copy, business errors are archived and alerted, and
 * both complete the original message. Other errors are re-thrown so Service Bus redelivers the
 * message and dead-letters it after the maximum delivery count.
 */
export async function runWorker(
  rt: Runtime,
  log: Logger,
  retrySender: QueueSender,
  input: WorkerInput,
  handle: (envelope: Envelope) => Promise<WorkerOutcome>,
): Promise<WorkerOutcome> {
  const parsed = parseEnvelope(input.body);
  if (!parsed.ok) {
    // A body that is not an envelope cannot be retried or replayed as it is. Throwing sends it to
    // the dead-letter queue, whose worker archives and records it.
    throw new Error(
      `Message ${input.messageId ?? '(no id)'} is not a valid envelope: ${parsed.problem}`,
    );
  }
  const envelope = parsed.envelope;
  const fields = {
    flow: input.flow,
    kind: envelope.kind,
    documentKey: envelope.documentKey,
    version: envelope.version,
    attempt: envelope.attempt,
    correlationId: envelope.correlationId,
    messageId: input.messageId,
  };
  const started = Date.now();
  try {
    const outcome = await handle(envelope);
    log.info('Message processed', { ...fields, outcome, durationMs: Date.now() - started });
    return outcome;
  } catch (error) {
    const settled = await handleFailure(
      failureDepsFor(rt, log, retrySender),
      input.flow,
      envelope,
      error,
    );
    log.info('Message processed', {
      ...fields,
      outcome: settled,
      durationMs: Date.now() - started,
    });
    return settled;
  }
}

/** Raised for a message kind that this queue's worker does not handle. */
export function unsupportedKind(envelope: Envelope, queue: string): BusinessError {
  return new BusinessError(
    BusinessCode.InvalidPayload,
    `Message kind ${envelope.kind} for ${envelope.documentKey} is not handled on queue ${queue}; ` +
      'check the sender, then replay the failure to the right queue',
    { details: { kind: envelope.kind, queue } },
  );
}
