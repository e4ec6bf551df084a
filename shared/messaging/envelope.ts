import { createHash } from 'node:crypto';
import * as v from 'valibot';

/** Message kinds to JASCI (outbound) and to BC (inbound). */
export const toJasciKinds = [
  'item.upsert',
  'purchaseOrder.upsert',
  'purchaseOrder.cancel',
  'salesOrder.upsert',
  'salesOrder.cancel',
  'returnOrder.upsert',
  'inventory.adjustment.export',
] as const;
export const toBcKinds = [
  'receipt.post',
  'shipment.post',
  'inventory.adjustment.post',
  'cycleCount.post',
  'returnReceipt.post',
] as const;
export type MessageKind = (typeof toJasciKinds)[number] | (typeof toBcKinds)[number];

const isoTimestamp = v.pipe(v.string(), v.isoTimestamp('must be an ISO-8601 timestamp'));

/**
 * The one message body both queues carry. Exactly one of `payload` and `payloadBlob` is set:
 * a payload above the claim-check threshold is stored in Blob Storage under `payloadBlob`.
 */
export const envelopeSchema = v.pipe(
  v.object({
    kind: v.picklist([...toJasciKinds, ...toBcKinds], 'unknown message kind'),
    documentKey: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    version: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    attempt: v.pipe(v.number(), v.integer(), v.minValue(1)),
    firstEnqueuedAt: isoTimestamp,
    correlationId: v.pipe(v.string(), v.minLength(1)),
    payload: v.optional(v.unknown()),
    payloadBlob: v.optional(v.string()),
    /** Marker of an operator's replay; it gives the replayed copy its own messageId. */
    replay: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  }),
  v.check(
    (e) => (e.payload === undefined) !== (e.payloadBlob === undefined),
    'exactly one of payload and payloadBlob must be set',
  ),
);
export type Envelope = v.InferOutput<typeof envelopeSchema>;

/** Service Bus limits a messageId to 128 characters. */
const maxMessageIdLength = 128;

/**
 * Returns the deterministic Service Bus messageId `kind:documentKey:version`, so duplicate detection
 * drops a second copy of the same change. Retry copies add `:a<attempt>` to stay distinct from the
 * original, and replayed copies add `:r<replay>` before that. An id longer than Service Bus allows
 * is shortened to a prefix plus a SHA-256 digest.
 */
export function messageIdFor(
  envelope: Pick<Envelope, 'kind' | 'documentKey' | 'version' | 'attempt' | 'replay'>,
): string {
  const original = `${envelope.kind}:${envelope.documentKey}:${envelope.version}`;
  const base = envelope.replay === undefined ? original : `${original}:r${envelope.replay}`;
  const id = envelope.attempt > 1 ? `${base}:a${envelope.attempt}` : base;
  if (id.length <= maxMessageIdLength) return id;
  const digest = createHash('sha256').update(id).digest('hex');
  return `${id.slice(0, maxMessageIdLength - digest.length - 1)}~${digest}`;
}

/** Parses a received message body, returning the issues as one readable string on failure. */
export function parseEnvelope(
  body: unknown,
): { ok: true; envelope: Envelope } | { ok: false; problem: string } {
  const result = v.safeParse(envelopeSchema, body);
  if (result.success) return { ok: true, envelope: result.output };
  const problem = result.issues
    .map(
      (issue) => `${issue.path?.map((p) => String(p.key)).join('.') ?? 'body'}: ${issue.message}`,
    )
    .join('; ');
  return { ok: false, problem };
}
