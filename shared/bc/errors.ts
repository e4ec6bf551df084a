import { BusinessCode, BusinessError, TransientCode, TransientError } from '../errors';

/**
 * A BC response that only a bug in the connector can cause, such as BadRequest_InvalidToken (a
 * PATCH without a valid If-Match header). It is deliberately not a ConnectorError: a retry would
 * fail the same way and the document itself is fine, so the message must go to the dead-letter
 * path where a developer investigates it.
 */
export class BcClientDefectError extends Error {
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'BcClientDefectError';
    this.details = details;
  }
}

/** BC's error body: `{ "error": { "code": "...", "message": "... CorrelationId: ..." } }`. */
export interface BcErrorBody {
  bcCode?: string;
  bcMessage?: string;
}

/** Extracts code and message from a BC error body; returns an empty object for anything else. */
export function parseBcErrorBody(text: string): BcErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' && code !== '' ? { bcCode: code } : {}),
    ...(typeof message === 'string' && message !== '' ? { bcMessage: message } : {}),
  };
}

/**
 * Converts a `Retry-After` header (delay in seconds, or an HTTP date) to milliseconds from `nowMs`.
 * Returns undefined when the header is missing or malformed; a date in the past gives 0.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  nowMs: number,
): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // An HTTP date names the weekday and month; this also keeps Date.parse from reading '-5' as a year.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

export interface BcFailedResponse {
  method: string;
  /** Request path relative to the company URL, without the query string. */
  path: string;
  status: number;
  body: BcErrorBody;
  retryAfterMs?: number;
}

/** Codes BC returns when the record changed since the caller read its ETag. */
const CONFLICT_CODES = new Set(['Request_EntityChanged']);

function transientCodeFor(status: number): TransientCode | undefined {
  if (status === 408 || status === 504) return TransientCode.Timeout;
  if (status === 429) return TransientCode.Throttled;
  if (status === 503) return TransientCode.Unavailable;
  if (status >= 500) return TransientCode.ServerError;
  return undefined;
}

function describe(response: BcFailedResponse): string {
  const { method, path, status, body } = response;
  const code = body.bcCode ? ` ${body.bcCode}` : '';
  const message = body.bcMessage ? `: ${body.bcMessage}` : '';
  return `BC ${method} ${path} failed with ${status}${code}${message}`;
}

/**
 * Classifies a failed BC response. 408, 429 and 5xx are transient and keep Retry-After. 412 and
 * an ETag conflict are transient CONFLICT, because a re-read and retry can succeed. 401 is
 * transient AUTH. BadRequest_InvalidToken is a connector defect. Any other 4xx is a business
 * error that needs a change in BC or in the message.
 */
export function errorForBcResponse(response: BcFailedResponse): Error {
  const { method, path, status, body, retryAfterMs } = response;
  const details = { status, method, path, ...body };
  const summary = describe(response);

  if (body.bcCode === 'BadRequest_InvalidToken') {
    return new BcClientDefectError(
      `${summary}. BC rejected the concurrency token (If-Match), which means the connector sent a request without a valid ETag header; this is a defect in the connector, not in the document, so fix the client instead of retrying`,
      details,
    );
  }
  const transientCode = transientCodeFor(status);
  if (transientCode !== undefined) {
    return new TransientError(transientCode, `${summary}; the request can be retried later`, {
      retryAfterMs,
      details,
    });
  }
  if (status === 412 || (body.bcCode !== undefined && CONFLICT_CODES.has(body.bcCode))) {
    return new TransientError(
      TransientCode.Conflict,
      `${summary}; the record changed after it was read, so re-read it and retry`,
      { retryAfterMs, details },
    );
  }
  if (status === 401) {
    return new TransientError(
      TransientCode.Auth,
      `${summary}; BC rejected a fresh access token, so check that the app registration is enabled in BC (Microsoft Entra applications) and has API permissions`,
      { retryAfterMs, details },
    );
  }
  return new BusinessError(
    BusinessCode.BcRejected,
    `${summary}; correct the data in BC or the message, then replay it`,
    { details },
  );
}
