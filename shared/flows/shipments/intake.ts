import { canonicalJson } from '../../canonicalJson';
import { createHash, randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { Settings } from '../../config/schema';
import {
  issueField,
  issueMessage,
  JasciEventName,
  jasciEventEnvelopeSchema,
  jasciShipmentEventSchema,
  type JasciShipmentEvent,
} from '../../jasci/wire';
import type { Logger } from '../../logging';
import type { Envelope } from '../../messaging/envelope';
import type { QueueSender } from '../../messaging/queues';
import { checkEventAuth, checkEventTransport } from './requestChecks';
import { errorResponse, type IntakeRequest, type IntakeResponse } from './response';

export type { IntakeRequest, IntakeResponse } from './response';

export interface IntakeDeps {
  settings: Settings;
  /** Only `send` is used; any object with the same method works. */
  toBc: Pick<QueueSender, 'send'>;
  log: Logger;
  now: () => Date;
}

/** Seconds JASCI is asked to wait before resending an event the queue could not take. */
export const queueRetryAfterSeconds = 30;

/**
 * Receives one JASCI webhook call: checks method, media type, size and authentication, parses and
 * validates the event, and queues a `shipment.post` message on `to-bc`. It returns 202 only after
 * the queue accepted the message, so an event JASCI saw accepted is never lost. A repeated event is
 * accepted with 202 as well, and the queue's duplicate detection drops the second copy.
 */
export async function receiveJasciEvent(
  deps: IntakeDeps,
  request: IntakeRequest,
): Promise<IntakeResponse> {
  const rejection =
    checkEventTransport(deps.settings, request) ??
    checkEventAuth(deps.settings, request, deps.now().getTime());
  if (rejection) {
    deps.log.warn('JASCI event rejected', rejectionFields(rejection));
    return rejection;
  }

  const parsed = parseEvent(request.rawBody);
  if (!parsed.ok) {
    deps.log.warn('JASCI event rejected', rejectionFields(parsed.response));
    return parsed.response;
  }
  if (parsed.ignored) {
    // Other flows' events are acknowledged so that JASCI does not resend them forever.
    // NOTE: inventory, order status, return and pick events are not processed yet.
    deps.log.info('JASCI event ignored', { event: parsed.eventName, eventId: parsed.eventId });
    return { status: 202, body: { status: 'ignored', event: parsed.eventName } };
  }

  const envelope = shipmentEnvelope(parsed.event, request.rawBody, deps.now());
  const fields = {
    event: parsed.event.event,
    eventId: envelope.documentKey,
    orderNumber: parsed.event.erpOrderNumber,
    shipmentNumber: parsed.event.shipmentNumber,
    correlationId: envelope.correlationId,
  };
  try {
    await deps.toBc.send(envelope);
  } catch (error) {
    deps.log.error('JASCI event could not be queued; JASCI is asked to retry', {
      ...fields,
      error: error instanceof Error ? error.message : String(error),
    });
    return errorResponse(
      503,
      'QUEUE_UNAVAILABLE',
      'The event could not be queued; send it again later',
      undefined,
      { 'Retry-After': String(queueRetryAfterSeconds) },
    );
  }
  deps.log.info('JASCI event accepted', fields);
  return { status: 202, body: { status: 'accepted', eventId: envelope.documentKey } };
}

function rejectionFields(response: IntakeResponse): Record<string, unknown> {
  const error = (response.body as { error: { code: string; message: string; field?: string } })
    .error;
  return { status: response.status, code: error.code, reason: error.message, field: error.field };
}

type ParsedEvent =
  | { ok: true; ignored: false; event: JasciShipmentEvent }
  | { ok: true; ignored: true; eventName: string; eventId?: string }
  | { ok: false; response: IntakeResponse };

function parseEvent(rawBody: Buffer): ParsedEvent {
  const json = parseJson(rawBody);
  if (!json.ok) {
    return { ok: false, response: errorResponse(400, 'INVALID_JSON', json.problem) };
  }
  if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
    return {
      ok: false,
      response: errorResponse(400, 'INVALID_EVENT', 'The request body must be a JSON object'),
    };
  }

  const common = v.safeParse(jasciEventEnvelopeSchema, json.value);
  if (!common.success) return { ok: false, response: invalidEvent(common.issues) };
  if (common.output.event !== JasciEventName.ShipmentClosed) {
    return {
      ok: true,
      ignored: true,
      eventName: common.output.event,
      eventId: common.output.eventId,
    };
  }

  const shipment = v.safeParse(jasciShipmentEventSchema, json.value);
  if (!shipment.success) return { ok: false, response: invalidEvent(shipment.issues) };
  return { ok: true, ignored: false, event: shipment.output };
}

function parseJson(rawBody: Buffer): { ok: true; value: unknown } | { ok: false; problem: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  } catch {
    return { ok: false, problem: 'The request body is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: false, problem: 'The request body is empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      problem: `The request body is not valid JSON: ${describeJsonError(error, text)}`,
    };
  }
}

/**
 * Describes where JSON.parse failed without quoting the body: V8 sometimes appends an excerpt of
 * the input, which is cut off here, and a character offset is turned into a line and column.
 */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const withoutExcerpt = message.replace(/, ".*" is not valid JSON$/s, '');
  const position = /at position (\d+)/.exec(withoutExcerpt);
  if (!position?.[1]) return withoutExcerpt;
  const offset = Number(position[1]);
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  return `${withoutExcerpt} (line ${line}, column ${column})`;
}

/** Returns the hex SHA-256 of the body as canonical JSON, or of the raw bytes when they are not JSON. */
function contentHash(rawBody: Buffer): string {
  let content: string | Buffer = rawBody;
  try {
    content = canonicalJson(JSON.parse(rawBody.toString('utf8')));
  } catch {
    // Only validated JSON reaches here; the raw bytes are a safe fallback all the same.
  }
  return createHash('sha256').update(content).digest('hex');
}

function invalidEvent(issues: readonly v.BaseIssue<unknown>[]): IntakeResponse {
  const first = issues[0];
  const field = first ? issueField(first) : undefined;
  const message = issues
    .map((issue) => `${issueField(issue) ?? '(body)'}: ${issueMessage(issue)}`)
    .join('; ');
  return errorResponse(400, 'INVALID_EVENT', message, field);
}

/**
 * Builds the `to-bc` message for a shipment event. The event id is the dedupe key. An event
 * without one is keyed by the SHA-256 of its body as canonical JSON (keys sorted, no whitespace),
 * so a resend is dropped even when JASCI formats or orders the fields differently.
 */
export function shipmentEnvelope(event: JasciShipmentEvent, rawBody: Buffer, now: Date): Envelope {
  const documentKey = event.eventId ?? `sha256:${contentHash(rawBody)}`;
  return {
    kind: 'shipment.post',
    documentKey,
    version: event.timestamp,
    attempt: 1,
    firstEnqueuedAt: now.toISOString(),
    correlationId: randomUUID(),
    payload: event,
  };
}
