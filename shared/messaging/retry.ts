/**
 * Returns the delay in milliseconds before the next attempt after attempt `attempt` (1-based)
 * failed: `delaysSeconds[attempt - 1]` seconds, or `retryAfterMs` when the remote side asked for
 * longer. Returns undefined when no delay is left, so the message is exhausted.
 */
export function retryDelayMs(
  attempt: number,
  delaysSeconds: readonly number[],
  retryAfterMs?: number,
): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a whole number of at least 1, got ${attempt}`);
  }
  const delaySeconds = delaysSeconds[attempt - 1];
  if (delaySeconds === undefined) return undefined;
  const requested = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0;
  return Math.max(delaySeconds * 1000, requested);
}
