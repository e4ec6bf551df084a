import { randomUUID } from 'node:crypto';

/** Error body that Business Central returns for every failed API call. */
export interface BcErrorBody {
  error: { code: string; message: string };
}

/**
 * A failed API call with the HTTP status, BC error code and message to send back.
 * Handlers throw it; the server turns it into the response.
 */
export class BcApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'BcApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Builds the body the way BC does: the message ends with two spaces and the correlation id. */
export function bcErrorBody(code: string, message: string): BcErrorBody {
  return { error: { code, message: `${message}  CorrelationId:  ${randomUUID()}.` } };
}

export function notFound(message: string): BcApiError {
  return new BcApiError(404, 'BadRequest_NotFound', message);
}

export function badRequest(code: string, message: string): BcApiError {
  return new BcApiError(400, code, message);
}
