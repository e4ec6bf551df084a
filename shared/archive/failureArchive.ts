import type { Envelope } from '../messaging/envelope';

/** Content of an archived failed message, as stored in the archive container. */
export interface ArchivedFailure {
  flow: string;
  /** The envelope with its payload inline, even when it was sent with a claim check. */
  envelope: Envelope;
  error: { code: string; category: string; message: string; details: Record<string, unknown> };
  attempt: number;
  archivedAt: string;
  /** Reason the claim-check payload could not be read back; the envelope then keeps `payloadBlob`. */
  payloadError?: string;
}

/**
 * Returns `failures/<flow>/<yyyy-mm-dd>/<id>.json`. The id is encoded because message ids contain
 * document keys, and a `/` in one would add a folder level.
 */
export function failureArchiveName(flow: string, at: Date, id: string): string {
  const day = at.toISOString().slice(0, 10);
  return `failures/${encodeURIComponent(flow)}/${day}/${encodeURIComponent(id)}.json`;
}
