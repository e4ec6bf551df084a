/**
 * Client-side limiter for BC API requests. BC allows 5 requests per app registration to run at once
 * (more wait in a server queue of 95, then fail with 429 or 503) and 6,000 requests per sliding
 * 5-minute window (then 429). Every BC request of this process goes through one limiter, so the
 * connector stays under both limits itself instead of relying on throttling responses.
 */

export interface BcLimiterOptions {
  /** Maximum requests in flight at once. */
  maxConcurrent: number;
  /** Maximum request starts within any window of `windowMs`. */
  maxPerWindow: number;
  /** Length of the sliding window, in milliseconds. */
  windowMs: number;
  /** Clock in milliseconds; tests pass a fake one. Defaults to `Date.now`. */
  now?: () => number;
}

export class BcLimiter {
  private readonly maxConcurrent: number;
  private readonly maxPerWindow: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Start tasks in arrival order; the head waits until both limits allow it. */
  private readonly waiting: Array<() => void> = [];
  /** Start times within the current window, oldest first. */
  private readonly starts: number[] = [];
  private active = 0;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: BcLimiterOptions) {
    for (const name of ['maxConcurrent', 'maxPerWindow', 'windowMs'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(
          `BcLimiter option ${name} must be a whole number of at least 1, got ${value}`,
        );
      }
    }
    this.maxConcurrent = options.maxConcurrent;
    this.maxPerWindow = options.maxPerWindow;
    this.windowMs = options.windowMs;
    this.now = options.now ?? Date.now;
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `fn` once both limits allow it, after every call that arrived earlier has started. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        this.active += 1;
        this.starts.push(this.now());
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            this.active -= 1;
            this.pump();
          });
      });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.active < this.maxConcurrent) {
      const now = this.now();
      this.forgetStartsBefore(now - this.windowMs);
      const oldest = this.starts[0];
      if (this.starts.length >= this.maxPerWindow && oldest !== undefined) {
        this.wakeAt(oldest + this.windowMs - now);
        return;
      }
      this.waiting.shift()?.();
    }
  }

  private forgetStartsBefore(cutoff: number): void {
    let expired = 0;
    while (expired < this.starts.length && (this.starts[expired] ?? Infinity) <= cutoff)
      expired += 1;
    if (expired > 0) this.starts.splice(0, expired);
  }

  private wakeAt(delayMs: number): void {
    if (this.wakeTimer !== undefined) return;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.pump();
      },
      Math.max(delayMs, 1),
    );
  }
}

let processLimiter: BcLimiter | undefined;

/**
 * Returns the limiter shared by every BcClient of this process, creating it on the first call.
 * Later calls return the same instance and ignore their options.
 */
export function sharedBcLimiter(options: BcLimiterOptions): BcLimiter {
  // NOTE: BC counts requests per app registration, but this limiter counts per process. When
  // several Function instances run at once, their settings must share the limits between them.
  processLimiter ??= new BcLimiter(options);
  return processLimiter;
}
