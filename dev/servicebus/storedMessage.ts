import type { Message } from 'rhea';
import { Annotation, MessageState, wrapInt, wrapLong } from './codec';

/** A message held by the emulator, with the broker-side state that Service Bus tracks for it. */
export interface StoredMessage {
  readonly sequenceNumber: number;
  /** The message as the client sent it (properties, application properties, annotations, body). */
  readonly message: Message;
  enqueuedAt: Date;
  /** Failed deliveries so far (abandon or lock expiry). Sent as the AMQP header `delivery_count`. */
  deliveryCount: number;
  scheduledAt?: Date;
}

export type StoredMessageState = keyof typeof MessageState;

/**
 * Builds the message to send to a client: the stored message plus the annotations that the SDK
 * maps to `sequenceNumber`, `enqueuedTimeUtc`, `lockedUntilUtc` and `state`.
 */
export function toWireMessage(
  stored: StoredMessage,
  state: StoredMessageState,
  lockedUntil?: Date,
): Message {
  const annotations: Record<string, unknown> = {
    ...stored.message.message_annotations,
    [Annotation.sequenceNumber]: wrapLong(stored.sequenceNumber),
    [Annotation.enqueuedTime]: stored.enqueuedAt,
    [Annotation.messageState]: wrapInt(MessageState[state]),
  };
  if (lockedUntil) {
    annotations[Annotation.lockedUntil] = lockedUntil;
  }
  if (stored.scheduledAt) {
    annotations[Annotation.scheduledEnqueueTime] = stored.scheduledAt;
  }
  return {
    ...stored.message,
    delivery_count: stored.deliveryCount,
    message_annotations: annotations,
  };
}

/**
 * Returns a copy of the message with extra application properties and message annotations,
 * as abandon and dead-letter requests may carry them.
 */
export function withChanges(
  message: Message,
  changes: {
    applicationProperties?: Record<string, unknown>;
    annotations?: Record<string, unknown>;
  },
): Message {
  return {
    ...message,
    application_properties: {
      ...(message.application_properties as Record<string, unknown> | undefined),
      ...changes.applicationProperties,
    },
    message_annotations: {
      ...message.message_annotations,
      ...changes.annotations,
    },
  };
}

/** Reads the scheduled enqueue time that the SDK puts in the message annotations. */
export function scheduledTimeOf(message: Message): Date | undefined {
  const annotations = message.message_annotations;
  const value = annotations?.[Annotation.scheduledEnqueueTime];
  if (value instanceof Date) {
    return value;
  }
  if (typeof value === 'number') {
    return new Date(value);
  }
  return undefined;
}
