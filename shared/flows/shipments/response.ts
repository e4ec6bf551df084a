/** The parts of an HTTP request the webhook intake reads. */
export interface IntakeRequest {
  method: string;
  headers: { get(name: string): string | null };
  rawBody: Buffer;
}

/** The intake's result, which the HTTP layer sends as a JSON response. */
export interface IntakeResponse {
  status: number;
  body: unknown;
  /** Response headers the HTTP layer must add: `Allow` on 405, `Retry-After` on 503. */
  headers?: Record<string, string>;
}

/** Builds the error body every rejection uses: `{ error: { code, message, field? } }`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  field?: string,
  headers?: Record<string, string>,
): IntakeResponse {
  const error = field === undefined ? { code, message } : { code, message, field };
  return headers === undefined ? { status, body: { error } } : { status, body: { error }, headers };
}
