import type { Settings } from '../../config/schema';
import {
  SHARED_SECRET_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyJasciSignature,
  verifySharedSecret,
} from '../../jasci/signature';
import { errorResponse, type IntakeRequest, type IntakeResponse } from './response';

/**
 * Checks what the webhook accepts before reading the body: POST only, a JSON media type, and a
 * body no larger than JASCI_WEBHOOK_MAX_BODY_BYTES. Returns the rejection, or undefined to go on.
 */
export function checkEventTransport(
  settings: Settings,
  request: IntakeRequest,
): IntakeResponse | undefined {
  if (request.method.toUpperCase() !== 'POST') {
    return errorResponse(
      405,
      'METHOD_NOT_ALLOWED',
      `Method ${request.method} is not allowed; JASCI events must be sent with POST`,
      undefined,
      { Allow: 'POST' },
    );
  }

  const mediaProblem = checkMediaType(request.headers.get('content-type'));
  if (mediaProblem) return errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', mediaProblem);

  const maxBytes = settings.JASCI_WEBHOOK_MAX_BODY_BYTES;
  // The declared length rejects an oversized body early; the actual length catches a header that
  // is missing or understated.
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    return tooLarge(`Content-Length ${declared.trim()}`, maxBytes);
  }
  if (request.rawBody.length > maxBytes) {
    return tooLarge(`The body of ${request.rawBody.length} bytes`, maxBytes);
  }
  return undefined;
}

function checkMediaType(contentType: string | null): string | undefined {
  if (contentType === null || contentType.trim() === '') {
    return 'Content-Type is missing; send the event as application/json';
  }
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  if (mediaType.toLowerCase() !== 'application/json') {
    return `Content-Type ${mediaType} is not supported; send the event as application/json`;
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
    const charset = value.replace(/^"|"$/g, '').toLowerCase();
    if (name.toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') {
      return `charset ${value} is not supported; send the event as UTF-8`;
    }
  }
  return undefined;
}

function tooLarge(what: string, maxBytes: number): IntakeResponse {
  return errorResponse(
    413,
    'PAYLOAD_TOO_LARGE',
    `${what} exceeds the maximum of ${maxBytes} bytes (JASCI_WEBHOOK_MAX_BODY_BYTES)`,
  );
}

/**
 * Authenticates the call: with JASCI_WEBHOOK_SIGNING_SECRET set, the HMAC signature over the
 * timestamp and raw body; otherwise the X-Jasci-Shared-Secret header. Rejection messages name the
 * header and the reason, never a secret value.
 */
export function checkEventAuth(
  settings: Settings,
  request: IntakeRequest,
  nowMs: number,
): IntakeResponse | undefined {
  const signingSecret = settings.JASCI_WEBHOOK_SIGNING_SECRET;
  if (signingSecret) {
    const result = verifyJasciSignature({
      secret: signingSecret,
      signatureHeader: request.headers.get(SIGNATURE_HEADER) ?? undefined,
      timestampHeader: request.headers.get(TIMESTAMP_HEADER) ?? undefined,
      rawBody: request.rawBody,
      nowMs,
      toleranceSeconds: settings.JASCI_WEBHOOK_TOLERANCE_SECONDS,
    });
    return result.ok ? undefined : unauthorized(result.reason);
  }

  const sharedSecret = settings.JASCI_WEBHOOK_SHARED_SECRET;
  if (!sharedSecret) {
    // The settings loader rejects this combination, so it only happens with hand-built settings.
    return errorResponse(
      500,
      'NOT_CONFIGURED',
      'The connector has no webhook secret configured; set JASCI_WEBHOOK_SIGNING_SECRET or JASCI_WEBHOOK_SHARED_SECRET',
    );
  }
  const provided = request.headers.get(SHARED_SECRET_HEADER);
  if (provided === null || provided === '') {
    return unauthorized(`missing ${SHARED_SECRET_HEADER} header`);
  }
  return verifySharedSecret(sharedSecret, provided)
    ? undefined
    : unauthorized(`${SHARED_SECRET_HEADER} does not match the configured shared secret`);
}

function unauthorized(reason: string): IntakeResponse {
  return errorResponse(401, 'UNAUTHORIZED', reason);
}
