/** A failure the sandbox returns instead of handling the request. */
export interface InjectedFailure {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export interface SandboxFaults {
  /** The next `count` order requests fail with `status`, with `Retry-After` when given. */
  failNext(count: number, status?: number, retryAfterSeconds?: number): void;
  /** Every order request fails with `status` for the next `ms` milliseconds (a 503 storm). */
  failFor(ms: number, status?: number, retryAfterSeconds?: number): void;
  /** The next `count` order requests are rejected with `status` and JASCI's error `message`. */
  rejectNext(count: number, status?: number, message?: string): void;
  /** The next `count` order requests wait `ms` milliseconds before the sandbox handles them. */
  delayNext(count: number, ms: number): void;
}

function codeFor(status: number): string {
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'REJECTED';
}

/** Queue of injected faults, consumed one per order request. */
export class FaultInjector implements SandboxFaults {
  injected = 0;
  private failures: InjectedFailure[] = [];
  private rejections: InjectedFailure[] = [];
  private delays: number[] = [];
  private storm: { untilMs: number; failure: InjectedFailure } | undefined;

  constructor(private readonly nowMs: () => number) {}

  failNext(count: number, status = 503, retryAfterSeconds?: number): void {
    const failure = {
      status,
      code: codeFor(status),
      message: 'Injected failure',
      retryAfterSeconds,
    };
    for (let i = 0; i < count; i += 1) this.failures.push(failure);
  }

  failFor(ms: number, status = 503, retryAfterSeconds?: number): void {
    const failure = {
      status,
      code: codeFor(status),
      message: 'Injected outage',
      retryAfterSeconds,
    };
    this.storm = { untilMs: this.nowMs() + ms, failure };
  }

  rejectNext(count: number, status = 422, message = 'The order was rejected by the sandbox'): void {
    for (let i = 0; i < count; i += 1)
      this.rejections.push({ status, code: codeFor(status), message });
  }

  delayNext(count: number, ms: number): void {
    for (let i = 0; i < count; i += 1) this.delays.push(ms);
  }

  /** Delay to apply to the current request, in milliseconds (0 for none). */
  takeDelay(): number {
    return this.delays.shift() ?? 0;
  }

  /** Failure to return for the current request, if any; an outage window goes first. */
  takeFailure(): InjectedFailure | undefined {
    let failure: InjectedFailure | undefined;
    if (this.storm && this.nowMs() < this.storm.untilMs) failure = this.storm.failure;
    failure ??= this.failures.shift() ?? this.rejections.shift();
    if (failure) this.injected += 1;
    return failure;
  }
}
