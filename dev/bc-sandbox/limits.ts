/** Per-user limits of BC online: requests per sliding window, concurrent requests and queue size. */
export interface LimitOptions {
  maxConcurrent: number;
  queueLimit: number;
  maxRequestsPerWindow: number;
  windowMs: number;
  /** How long a request may wait in the queue before BC returns 503 (8 minutes online). */
  queueTimeoutMs: number;
}

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; status: number; code: string; message: string; retryAfterSeconds: number };

interface Waiter {
  resolve(admission: Admission): void;
  timer: NodeJS.Timeout;
}

/**
 * Admits requests the way BC online does for one user: more than `maxRequestsPerWindow` in the
 * sliding window, or a full queue, gets 429; up to `maxConcurrent` run at once and the rest wait
 * in arrival order.
 */
export class RequestLimits {
  inProgress = 0;
  maxConcurrentSeen = 0;
  throttled = 0;
  private readonly queue: Waiter[] = [];
  private readonly admittedAt: number[] = [];

  constructor(private readonly options: LimitOptions) {}

  get queued(): number {
    return this.queue.length;
  }

  async admit(): Promise<Admission> {
    const now = Date.now();
    while (
      this.admittedAt.length > 0 &&
      (this.admittedAt[0] as number) <= now - this.options.windowMs
    ) {
      this.admittedAt.shift();
    }
    if (this.admittedAt.length >= this.options.maxRequestsPerWindow) {
      const oldest = this.admittedAt[0] as number;
      return this.reject(
        429,
        Math.max(1, Math.ceil((oldest + this.options.windowMs - now) / 1000)),
        `The request was blocked because more than ${this.options.maxRequestsPerWindow} requests were sent within ${this.options.windowMs / 1000} seconds. Retry after the time in the Retry-After header.`,
      );
    }
    if (
      this.inProgress >= this.options.maxConcurrent &&
      this.queue.length >= this.options.queueLimit
    ) {
      return this.reject(
        429,
        1,
        `The request was blocked because ${this.options.queueLimit} requests are already waiting. Send fewer requests at the same time.`,
      );
    }
    this.admittedAt.push(now);
    if (this.inProgress < this.options.maxConcurrent) return this.start();
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.queue.splice(this.queue.indexOf(waiter), 1);
          resolve(
            this.rejection(
              503,
              'Internal_ServiceUnavailable',
              1,
              'The request waited too long in the queue. Retry later.',
            ),
          );
        }, this.options.queueTimeoutMs),
      };
      this.queue.push(waiter);
    });
  }

  /** Answers every waiting request with 503, for shutdown. */
  close(): void {
    for (const waiter of this.queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(
        this.rejection(503, 'Internal_ServiceUnavailable', 1, 'The sandbox is shutting down.'),
      );
    }
  }

  private start(): Admission {
    this.inProgress += 1;
    this.maxConcurrentSeen = Math.max(this.maxConcurrentSeen, this.inProgress);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inProgress -= 1;
        const next = this.queue.shift();
        if (next) {
          clearTimeout(next.timer);
          next.resolve(this.start());
        }
      },
    };
  }

  private reject(status: number, retryAfterSeconds: number, message: string): Admission {
    this.throttled += 1;
    return this.rejection(status, 'Application_TooManyRequests', retryAfterSeconds, message);
  }

  private rejection(
    status: number,
    code: string,
    retryAfterSeconds: number,
    message: string,
  ): Admission {
    return { ok: false, status, code, message, retryAfterSeconds };
  }
}
