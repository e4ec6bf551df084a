import { BusinessCode, BusinessError, TransientCode, TransientError } from '../errors';

/** Method and path of a request, for error messages and failure details. */
export interface JasciRequestInfo {
  method: string;
  path: string;
}

/** JASCI's error body, `{ errors: [{ code, message }] }`, or the `{ error, message }` variant. */
export interface JasciErrorBody {
  code?: string;
  message?: string;
}

/**
 * Reads `Retry-After` as either delay seconds or an HTTP date. Returns milliseconds, or
 * undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date always names the weekday and month; Date.parse would also take '-5' as a year.
  if (!/[A-Za-z]/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Extracts JASCI's error code and message from a response body; tolerant of any shape. */
export function parseErrorBody(text: string): JasciErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const first: unknown = Array.isArray(record.errors) ? record.errors[0] : record;
  if (typeof first !== 'object' || first === null) return {};
  const entry = first as Record<string, unknown>;
  const code = entry.code ?? entry.error;
  return {
    code: typeof code === 'string' ? code : undefined,
    message: typeof entry.message === 'string' ? entry.message : undefined,
  };
}

function transientCodeFor(status: number): TransientCode {
  if (status === 401) return TransientCode.Auth;
  if (status === 408) return TransientCode.Timeout;
  if (status === 429) return TransientCode.Throttled;
  if (status === 503) return TransientCode.Unavailable;
  return TransientCode.ServerError;
}

/** True for statuses that a later attempt may turn into a success. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Turns a non-2xx JASCI response into a connector error. 408, 429 and 5xx are transient and carry
 * `Retry-After`. 401 is transient too, because fixing the credentials lets a retry succeed.
 * Every other status is a business rejection that carries JASCI's own message.
 * `rejectionHint` replaces the generic advice, e.g. for a 409 on an order in fulfilment.
 */
export function errorForResponse(
  request: JasciRequestInfo,
  status: number,
  bodyText: string,
  retryAfterHeader: string | null,
  nowMs: number,
  rejectionHint?: string,
): TransientError | BusinessError {
  const jasci = parseErrorBody(bodyText);
  const details = {
    status,
    method: request.method,
    path: request.path,
    jasciCode: jasci.code,
    jasciMessage: jasci.message,
  };
  const jasciText = jasci.message ? `: ${jasci.message}` : '';
  const where = `${request.method} ${request.path}`;

  if (status === 401) {
    return new TransientError(
      TransientCode.Auth,
      `JASCI rejected the credentials for ${where} (401)${jasciText}. ` +
        'Check JASCI_API_KEY, or JASCI_USER_ID and JASCI_PASSWORD; the message is retried later.',
      { details },
    );
  }
  if (isTransientStatus(status)) {
    return new TransientError(
      transientCodeFor(status),
      `JASCI returned ${status} for ${where}${jasciText}; the message is retried later.`,
      { details, retryAfterMs: parseRetryAfter(retryAfterHeader, nowMs) },
    );
  }
  const hint = rejectionHint ?? 'Correct the document or its mapping, then replay the message.';
  return new BusinessError(
    BusinessCode.JasciRejected,
    `JASCI rejected ${where} with ${status}${jasci.code ? ` ${jasci.code}` : ''}${jasciText}. ${hint}`,
    { details },
  );
}

/** Classifies an error thrown before any response arrived (refused connection, DNS, timeout). */
export function errorForFailedRequest(
  request: JasciRequestInfo,
  error: unknown,
  timeoutMs: number,
): TransientError {
  const where = `${request.method} ${request.path}`;
  const details = { method: request.method, path: request.path };
  if (textOf(error, 'name') === 'TimeoutError') {
    return new TransientError(
      TransientCode.Timeout,
      `JASCI did not respond to ${where} within ${timeoutMs} ms; the message is retried later.`,
      { cause: error, details },
    );
  }
  // fetch reports socket errors as `TypeError('fetch failed')` with the real reason as `cause`.
  const reason =
    textOf(propertyOf(error, 'cause'), 'message') ?? textOf(error, 'message') ?? String(error);
  return new TransientError(
    TransientCode.Network,
    `The request ${where} to JASCI failed: ${reason}; the message is retried later.`,
    { cause: error, details },
  );
}

/**
 * Reads a property of a thrown value. Errors from Node's built-in fetch may come from another
 * realm (as under jest), where `instanceof Error` is false, so this checks the shape instead.
 */
function propertyOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[name];
}

function textOf(value: unknown, name: 'name' | 'message'): string | undefined {
  const property = propertyOf(value, name);
  return typeof property === 'string' ? property : undefined;
}
