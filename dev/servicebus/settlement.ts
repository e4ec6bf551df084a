import { message as amqpMessage } from 'rhea';
import type { Delivery } from 'rhea';
import { deliveryTagToLockToken } from './codec';
import type { MessageStore } from './messageStore';

export type Outcome = 'accepted' | 'rejected' | 'modified' | 'released';

interface RemoteOutcome {
  error?: { condition?: string; description?: string; info?: Record<string, unknown> };
  undeliverable_here?: boolean;
  message_annotations?: Record<string, unknown>;
}

/** rhea's outcome constructors, which its typings leave out. */
const outcomes = amqpMessage as unknown as Record<
  Outcome,
  (fields?: Record<string, unknown>) => { described(): unknown }
>;

const DEAD_LETTER_CONDITION = 'com.microsoft:dead-letter';

/**
 * Applies a client's outcome for a peek-lock delivery and settles it. The client waits for
 * the broker's settled disposition and fails the settle call if its state carries an error.
 *
 * - accepted: complete.
 * - modified: abandon (with the annotations to modify). With `undeliverable_here` it is a
 *   defer, which is rejected as not implemented, and the message is abandoned.
 * - rejected with `com.microsoft:dead-letter`: dead-letter with the reason from `error.info`.
 * - released: abandon.
 */
export function settleDelivery(store: MessageStore, delivery: Delivery, outcome: Outcome): void {
  const token = deliveryTagToLockToken(delivery.tag);
  const remote = (delivery.remote_state ?? {}) as RemoteOutcome;

  if (outcome === 'modified' && remote.undeliverable_here) {
    // The client treats the delivery as settled either way, so the lock would only delay redelivery.
    store.abandon(token);
    reply(delivery, rejectedWith('amqp:not-implemented', 'Deferring messages is not supported.'));
    return;
  }

  let settled: boolean;
  let state: unknown;
  if (outcome === 'accepted') {
    settled = store.complete(token);
    state = outcomes.accepted().described();
  } else if (outcome === 'rejected') {
    settled = store.deadLetter(token, deadLetterInfo(remote));
    state = outcomes.rejected({}).described();
  } else if (outcome === 'modified') {
    settled = store.abandon(token, remote.message_annotations);
    state = outcomes.modified({ undeliverable_here: false }).described();
  } else {
    settled = store.abandon(token);
    state = outcomes.released().described();
  }

  if (!settled) {
    state = rejectedWith(
      'com.microsoft:message-lock-lost',
      'The lock on the message expired or the message was already settled.',
    );
  }
  reply(delivery, state);
}

function deadLetterInfo(remote: RemoteOutcome): {
  reason?: string;
  description?: string;
  applicationProperties?: Record<string, unknown>;
} {
  if (remote.error?.condition !== DEAD_LETTER_CONDITION) {
    return { reason: remote.error?.condition, description: remote.error?.description };
  }
  const { DeadLetterReason, DeadLetterErrorDescription, ...rest } = remote.error.info ?? {};
  return {
    reason: DeadLetterReason as string | undefined,
    description: DeadLetterErrorDescription as string | undefined,
    applicationProperties: rest,
  };
}

function rejectedWith(condition: string, description: string): unknown {
  return outcomes.rejected({ error: { condition, description } }).described();
}

function reply(delivery: Delivery, state: unknown): void {
  delivery.update(true, state);
}
