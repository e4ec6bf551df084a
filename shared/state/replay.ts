import { randomBytes } from 'node:crypto';
import type { BlobStore } from '../archive/blobStore';
import type { ArchivedFailure } from '../archive/failureArchive';
import { parseEnvelope, type Envelope, type MessageKind } from '../messaging/envelope';
import type { QueueSender } from '../messaging/queues';
import type { Failures } from './failures';

export interface ReplayDeps {
  failures: Failures;
  archive: BlobStore;
  /** Returns the sender of the queue that carries `kind`. */
  senderFor(kind: MessageKind): QueueSender;
  now?: () => Date;
}

/** Returns a replay marker that sorts by time and is unique enough for one failure. */
function newReplayMarker(now: Date): string {
  return `${now.getTime().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * Sends the archived message of failure `id` again, optionally changed by `edit`, and marks the
 * failure 'replayed'. The copy starts at attempt 1 and carries a new replay marker, so Service
 * Bus duplicate detection does not drop it. Returns the envelope that was sent.
 */
export async function replayFailure(
  deps: ReplayDeps,
  id: string,
  edit?: (envelope: Envelope) => Envelope,
): Promise<Envelope> {
  const failure = await deps.failures.get(id);
  if (failure === undefined) {
    throw new Error(`Failure ${id} not found; list the failures to get a valid id`);
  }

  const archived = await deps.archive.getJson<ArchivedFailure>(failure.blobName);
  const parsed = parseEnvelope(archived.envelope);
  if (!parsed.ok) {
    throw new Error(
      `Archived message ${failure.blobName} of failure ${id} is not a valid envelope (${parsed.problem}); it cannot be replayed`,
    );
  }

  const now = deps.now?.() ?? new Date();
  const fresh: Envelope = {
    ...parsed.envelope,
    attempt: 1,
    firstEnqueuedAt: now.toISOString(),
    replay: newReplayMarker(now),
  };

  const edited = edit === undefined ? fresh : edit(structuredClone(fresh));
  const checked = parseEnvelope(edited);
  if (!checked.ok) {
    throw new Error(
      `The edited message of failure ${id} is not a valid envelope: ${checked.problem}`,
    );
  }

  // An edit that drops the marker would bring back the original messageId, which is dropped.
  const envelope = { ...checked.envelope, replay: checked.envelope.replay ?? fresh.replay };
  await deps.senderFor(envelope.kind).send(envelope);
  await deps.failures.setStatus(id, 'replayed');
  return envelope;
}
