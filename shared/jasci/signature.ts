import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authentication for JASCI events. JASCI's own signing scheme is not public, so the
 * connector defines one: `X-Jasci-Timestamp` contains unix seconds and `X-Jasci-Signature` contains
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. Without a signing secret the sender
 * puts a shared secret in `X-Jasci-Shared-Secret`.
 */

export const SIGNATURE_HEADER = 'X-Jasci-Signature';
export const TIMESTAMP_HEADER = 'X-Jasci-Timestamp';
export const SHARED_SECRET_HEADER = 'X-Jasci-Shared-Secret';

const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

export type SignatureFailureCode =
  'MISSING_HEADER' | 'MALFORMED_HEADER' | 'TIMESTAMP_OUTSIDE_TOLERANCE' | 'SIGNATURE_MISMATCH';

export type SignatureCheck =
  { ok: true } | { ok: false; code: SignatureFailureCode; reason: string };

function hmacHex(
  secret: string,
  timestampSeconds: number | string,
  rawBody: string | Buffer,
): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
}

/** Computes the `X-Jasci-Signature` value for a body sent at `timestampSeconds` (unix seconds). */
export function signJasciEvent(
  secret: string,
  timestampSeconds: number,
  rawBody: string | Buffer,
): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(
      `timestampSeconds must be a non-negative whole number of unix seconds, got ${timestampSeconds}`,
    );
  }
  return `sha256=${hmacHex(secret, timestampSeconds, rawBody)}`;
}

/**
 * Checks an event's signature and timestamp. The timestamp may differ from `nowMs` by at most
 * `toleranceSeconds` in either direction, which limits replays and tolerates clock skew.
 * The digests are compared in constant time.
 */
export function verifyJasciSignature(input: {
  secret: string;
  signatureHeader?: string | null;
  timestampHeader?: string | null;
  rawBody: Buffer;
  nowMs: number;
  toleranceSeconds: number;
}): SignatureCheck {
  const { signatureHeader, timestampHeader } = input;
  if (!timestampHeader) {
    return fail('MISSING_HEADER', `missing ${TIMESTAMP_HEADER} header`);
  }
  if (!signatureHeader) {
    return fail('MISSING_HEADER', `missing ${SIGNATURE_HEADER} header`);
  }
  const timestamp = timestampHeader.trim();
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    return fail('MALFORMED_HEADER', `malformed ${TIMESTAMP_HEADER} header: expected unix seconds`);
  }
  const match = SIGNATURE_PATTERN.exec(signatureHeader.trim());
  if (!match?.[1]) {
    return fail(
      'MALFORMED_HEADER',
      `malformed ${SIGNATURE_HEADER} header: expected sha256= followed by 64 hex digits`,
    );
  }

  const skewSeconds = Math.abs(input.nowMs / 1000 - Number(timestamp));
  if (skewSeconds > input.toleranceSeconds) {
    return fail(
      'TIMESTAMP_OUTSIDE_TOLERANCE',
      `${TIMESTAMP_HEADER} is ${Math.round(skewSeconds)} s away from the receiver's clock; ` +
        `at most ${input.toleranceSeconds} s is accepted`,
    );
  }

  const expected = Buffer.from(hmacHex(input.secret, timestamp, input.rawBody), 'hex');
  const received = Buffer.from(match[1], 'hex');
  if (!timingSafeEqual(expected, received)) {
    return fail('SIGNATURE_MISMATCH', `${SIGNATURE_HEADER} does not match the body and timestamp`);
  }
  return { ok: true };
}

/**
 * Compares a received `X-Jasci-Shared-Secret` value with the configured secret in constant time.
 * Both sides are hashed first so that the comparison also hides the secret's length.
 */
export function verifySharedSecret(expected: string, header: string | null | undefined): boolean {
  if (!header || !expected) return false;
  const expectedDigest = createHash('sha256').update(expected).digest();
  const receivedDigest = createHash('sha256').update(header).digest();
  return timingSafeEqual(expectedDigest, receivedDigest);
}

function fail(code: SignatureFailureCode, reason: string): SignatureCheck {
  return { ok: false, code, reason };
}
