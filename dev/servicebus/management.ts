import type { Message } from 'rhea';
import {
  decodeMessage,
  encodeMessage,
  lockTokenFromUuid,
  longToNumber,
  wrapLongArray,
  wrapTimestampArray,
} from './codec';
import type { Endpoint } from './addresses';
import type { MessageStore } from './messageStore';
import type { ServiceBusQueue, SubQueue } from './queue';
import { scheduledTimeOf, toWireMessage } from './storedMessage';

/** The outcome of a request on `$cbs` or an entity's `$management` link. */
export interface ManagementReply {
  statusCode: number;
  statusDescription: string;
  errorCondition?: string;
  body?: unknown;
}

type RequestBody = Record<string, unknown>;

const ok = (body?: unknown): ManagementReply => ({
  statusCode: 200,
  statusDescription: 'OK',
  body,
});

const lockLost = (): ManagementReply => ({
  statusCode: 410,
  statusDescription: 'The lock on the message is lost or the lock token is unknown.',
  errorCondition: 'com.microsoft:message-lock-lost',
});

const notImplemented = (what: string): ManagementReply => ({
  statusCode: 501,
  statusDescription: `${what} is not supported by the Service Bus emulator.`,
  errorCondition: 'amqp:not-implemented',
});

/** Runs a request sent to `$cbs` or to an entity's `$management` address. */
export function handleRequest(
  endpoint: Exclude<Endpoint, { kind: 'entity' }>,
  request: Message,
): ManagementReply {
  return endpoint.kind === 'cbs'
    ? handleCbsRequest(request)
    : handleManagementRequest(endpoint.queue, endpoint.subQueue, request);
}

/** Accepts every CBS `put-token` request: the emulator does not check SAS tokens. */
export function handleCbsRequest(request: Message): ManagementReply {
  const operation = (request.application_properties as RequestBody | undefined)?.operation;
  if (operation !== 'put-token') {
    return {
      statusCode: 400,
      statusDescription: `Unknown CBS operation "${String(operation)}"; only put-token is supported.`,
      errorCondition: 'amqp:not-implemented',
    };
  }
  return { statusCode: 202, statusDescription: 'Accepted' };
}

/** Runs one `$management` request against a queue or its dead-letter sub-queue. */
export function handleManagementRequest(
  queue: ServiceBusQueue,
  subQueue: SubQueue,
  request: Message,
): ManagementReply {
  const operation = (request.application_properties as RequestBody | undefined)?.operation;
  const body = (request.body ?? {}) as RequestBody;
  try {
    switch (operation) {
      case 'com.microsoft:peek-message':
        return peek(queue.store(subQueue), body);
      case 'com.microsoft:schedule-message':
        return schedule(queue, body);
      case 'com.microsoft:cancel-scheduled-message':
        return cancelScheduled(queue, body);
      case 'com.microsoft:renew-lock':
        return renewLocks(queue.store(subQueue), body);
      case 'com.microsoft:update-disposition':
        return updateDisposition(queue.store(subQueue), body);
      default:
        return notImplemented(`The management operation "${String(operation)}"`);
    }
  } catch (error) {
    return {
      statusCode: 400,
      statusDescription: error instanceof Error ? error.message : String(error),
      errorCondition: 'amqp:invalid-field',
    };
  }
}

/** Builds the response message that core-amqp matches to its request by `correlation_id`. */
export function toReplyMessage(request: Message, reply: ManagementReply): Message {
  const properties: Record<string, unknown> = {
    statusCode: reply.statusCode,
    statusDescription: reply.statusDescription,
  };
  if (reply.errorCondition) {
    properties['error-condition'] = reply.errorCondition;
  }
  return {
    correlation_id: request.message_id,
    application_properties: properties,
    body: reply.body,
  };
}

function peek(store: MessageStore, body: RequestBody): ManagementReply {
  const from = longToNumber(body['from-sequence-number']);
  const count = Number(body['message-count'] ?? 1);
  const found = store.peek(from, count);
  if (found.length === 0) {
    return { statusCode: 204, statusDescription: 'No messages to peek.' };
  }
  const messages = found.map(({ stored, state }) => ({
    message: encodeMessage(toWireMessage(stored, state)),
  }));
  return ok({ messages });
}

function schedule(queue: ServiceBusQueue, body: RequestBody): ManagementReply {
  const entries = body.messages;
  if (!Array.isArray(entries)) {
    throw new Error('Invalid schedule-message request: "messages" must be a list.');
  }
  const sequenceNumbers = entries.map((entry: { message?: unknown }) => {
    if (!Buffer.isBuffer(entry.message)) {
      throw new Error('Invalid schedule-message request: each entry needs an encoded "message".');
    }
    const message = decodeMessage(entry.message);
    return queue.accept(message, scheduledTimeOf(message) ?? new Date()).sequenceNumber;
  });
  return ok({ 'sequence-numbers': wrapLongArray(sequenceNumbers) });
}

function cancelScheduled(queue: ServiceBusQueue, body: RequestBody): ManagementReply {
  for (const value of listOf(body['sequence-numbers'], 'sequence-numbers')) {
    // NOTE: an unknown or already enqueued sequence number is ignored. Whether Service Bus
    // rejects it instead has not been checked.
    queue.main.cancelScheduled(longToNumber(value));
  }
  return ok();
}

function renewLocks(store: MessageStore, body: RequestBody): ManagementReply {
  const expirations: Date[] = [];
  for (const value of listOf(body['lock-tokens'], 'lock-tokens')) {
    const lockedUntil = store.renew(lockTokenFromUuid(value));
    if (!lockedUntil) {
      return lockLost();
    }
    expirations.push(lockedUntil);
  }
  return ok({ expirations: wrapTimestampArray(expirations) });
}

/** Settles by lock token. The SDK does this when the link that delivered the message is closed. */
function updateDisposition(store: MessageStore, body: RequestBody): ManagementReply {
  const status = body['disposition-status'];
  const properties = body['properties-to-modify'] as Record<string, unknown> | undefined;
  for (const value of listOf(body['lock-tokens'], 'lock-tokens')) {
    const token = lockTokenFromUuid(value);
    let settled: boolean;
    if (status === 'completed') {
      settled = store.complete(token);
    } else if (status === 'abandoned') {
      settled = store.abandon(token, properties);
    } else if (status === 'suspended') {
      settled = store.deadLetter(token, {
        reason: body['deadletter-reason'] as string | undefined,
        description: body['deadletter-description'] as string | undefined,
        applicationProperties: properties,
      });
    } else {
      return notImplemented(`The disposition status "${String(status)}"`);
    }
    if (!settled) {
      return lockLost();
    }
  }
  return ok();
}

function listOf(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`Invalid management request: "${field}" must be an array.`);
  }
  return value;
}
