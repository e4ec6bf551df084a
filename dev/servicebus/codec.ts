import { message as amqpMessage, string_to_uuid, types, uuid_to_string } from 'rhea';
import type { Message } from 'rhea';

/** AMQP message format of a Service Bus batch: one transfer whose data sections are encoded messages. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** Message annotation names that Service Bus sets and the SDK maps to received-message fields. */
export const Annotation = {
  sequenceNumber: 'x-opt-sequence-number',
  enqueuedTime: 'x-opt-enqueued-time',
  lockedUntil: 'x-opt-locked-until',
  messageState: 'x-opt-message-state',
  scheduledEnqueueTime: 'x-opt-scheduled-enqueue-time',
  deadLetterSource: 'x-opt-deadletter-source',
} as const;

/** Values of the `x-opt-message-state` annotation. */
export const MessageState = { active: 0, deferred: 1, scheduled: 2 } as const;

const AMQP_DATA_SECTION = 0x75;
const AMQP_LONG = 0x81;
const AMQP_TIMESTAMP = 0x83;

interface DataSection {
  typecode: number;
  content: Buffer | Buffer[];
  multiple?: boolean;
}

/**
 * Splits a batch transfer into its messages. The SDK writes each message of
 * `sendMessages([...])` or of a message batch as one data section of an envelope message.
 */
export function unpackBatch(payload: Buffer): Message[] {
  const envelope = decodeMessage(payload);
  const body = envelope.body as DataSection | undefined;
  if (!body || body.typecode !== AMQP_DATA_SECTION) {
    throw new Error(
      `Invalid batch message: expected data sections in the body, got ${describe(body)}.`,
    );
  }
  const sections = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return sections.map(decodeMessage);
}

/** Decodes one encoded AMQP message (rhea's two `Message` typings describe the same object). */
export function decodeMessage(encoded: Buffer): Message {
  return amqpMessage.decode(encoded) as unknown as Message;
}

export function encodeMessage(message: Message): Buffer {
  return amqpMessage.encode(message);
}

/**
 * Reorders the first three groups of a GUID between RFC 4122 byte order and the
 * little-endian .NET layout. The operation is its own inverse.
 */
export function reorderGuidBytes(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out[0] = bytes[3]!;
  out[1] = bytes[2]!;
  out[2] = bytes[1]!;
  out[3] = bytes[0]!;
  out[4] = bytes[5]!;
  out[5] = bytes[4]!;
  out[6] = bytes[7]!;
  out[7] = bytes[6]!;
  return out;
}

/**
 * Converts a lock token to the delivery tag that carries it. The SDK reads the tag in
 * .NET GUID order but sends tokens in management requests in RFC 4122 order.
 */
export function lockTokenToDeliveryTag(lockToken: string): Buffer {
  return reorderGuidBytes(string_to_uuid(lockToken));
}

export function deliveryTagToLockToken(tag: Buffer | string): string {
  const bytes = typeof tag === 'string' ? Buffer.from(tag) : tag;
  return uuid_to_string(reorderGuidBytes(bytes));
}

/** Reads a lock token from a management request, where it is a 16-byte uuid. */
export function lockTokenFromUuid(value: unknown): string {
  if (Buffer.isBuffer(value) && value.length === 16) {
    return uuid_to_string(value);
  }
  if (typeof value === 'string') {
    return value.toLowerCase();
  }
  throw new Error(`Invalid lock token: expected a 16-byte uuid, got ${describe(value)}.`);
}

/** Reads an AMQP long that rhea decoded as a number, or as 8 big-endian bytes when it is large. */
export function longToNumber(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (Buffer.isBuffer(value) && value.length === 8) {
    return Number(value.readBigInt64BE(0));
  }
  throw new Error(`Invalid sequence number: expected an AMQP long, got ${describe(value)}.`);
}

export function wrapLongArray(values: readonly number[]): unknown {
  return types.wrap_array([...values], AMQP_LONG, undefined);
}

export function wrapTimestampArray(values: readonly Date[]): unknown {
  return types.wrap_array(
    values.map((value) => value.getTime()),
    AMQP_TIMESTAMP,
    undefined,
  );
}

export function wrapLong(value: number): unknown {
  return types.wrap_long(value);
}

export function wrapInt(value: number): unknown {
  return types.wrap_int(value);
}

function describe(value: unknown): string {
  if (value === undefined || value === null) {
    return String(value);
  }
  if (Buffer.isBuffer(value)) {
    return `${value.length} bytes`;
  }
  return typeof value;
}
