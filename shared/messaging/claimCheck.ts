import { createHash } from 'node:crypto';
import type { BlobStore } from '../archive/blobStore';
import type { Envelope } from './envelope';

/** Blob name of a claim-check payload; the hash keeps two payloads of one version apart. */
export function claimCheckBlobName(envelope: Envelope, payloadJson: string): string {
  const hash = createHash('sha256').update(payloadJson).digest('hex');
  const documentKey = encodeURIComponent(envelope.documentKey);
  const version = encodeURIComponent(envelope.version);
  return `claim-check/${envelope.kind}/${documentKey}/${version}-${hash}.json`;
}

/**
 * Moves the payload to Blob Storage when the envelope's JSON is larger than `thresholdBytes`, and
 * returns the envelope to send: unchanged, or with `payloadBlob` in place of `payload`.
 */
export async function applyClaimCheck(
  envelope: Envelope,
  store: BlobStore,
  thresholdBytes: number,
): Promise<Envelope> {
  if (envelope.payload === undefined) return envelope;
  if (Buffer.byteLength(JSON.stringify(envelope)) <= thresholdBytes) return envelope;
  const payloadJson = JSON.stringify(envelope.payload);
  const blobName = await store.putJson(claimCheckBlobName(envelope, payloadJson), envelope.payload);
  const checked: Envelope = { ...envelope, payloadBlob: blobName };
  delete checked.payload;
  return checked;
}

/** Returns the envelope's payload, reading it from Blob Storage when the envelope carries a claim check. */
export async function resolvePayload(envelope: Envelope, store: BlobStore): Promise<unknown> {
  if (envelope.payload !== undefined || envelope.payloadBlob === undefined) return envelope.payload;
  return store.getJson(envelope.payloadBlob);
}
