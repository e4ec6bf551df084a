import type { PostingResult } from './salesPosting';

/** A scripted failure for the next matching API requests. */
export interface FailureRule {
  /** HTTP status to return, e.g. 429, 500 or 503. */
  status: number;
  /** How many matching requests fail (default 1). */
  count?: number;
  /** Only requests whose path and query match (default: every API request). */
  path?: RegExp;
  method?: string;
  /** Sent as the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  code?: string;
  message?: string;
}

const defaultCodes: Record<number, string> = {
  429: 'Application_TooManyRequests',
  500: 'Internal_ServerError',
  502: 'Internal_BadGateway',
  503: 'Internal_ServiceUnavailable',
  504: 'Internal_GatewayTimeout',
};

export interface InjectedFailure {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

/**
 * Faults that tests switch on: failing responses, dropped connections, slow requests, a posting
 * that succeeds but returns 400, and failing token requests.
 */
export class Faults {
  injected = 0;
  private failures: Array<FailureRule & { remaining: number }> = [];
  private resets: Array<{ remaining: number; path?: RegExp }> = [];
  private delays: Array<{ ms: number; path?: RegExp }> = [];
  private postingErrors = 0;
  private tokenFailures: { remaining: number; status: number } = { remaining: 0, status: 503 };

  /** Makes the next `count` matching requests fail with `status` and BC's error body. */
  failNext(rule: FailureRule): void {
    this.failures.push({ ...rule, remaining: rule.count ?? 1 });
  }

  /** Closes the connection of the next `count` matching requests without a response. */
  resetNext(count = 1, path?: RegExp): void {
    this.resets.push({ remaining: count, path });
  }

  /** Delays every matching request by `ms` while it holds a concurrency slot. */
  setDelay(ms: number, path?: RegExp): void {
    this.delays.push({ ms, path });
  }

  /**
   * Makes the next `count` shipAndInvoice calls post the shipment and then return 400, as BC
   * versions before 24 did when no invoice was posted.
   */
  postAfterErrorOnShipAndInvoice(count = 1): void {
    this.postingErrors += count;
  }

  /** Makes the next `count` token requests fail with `status`. */
  failNextTokenRequests(count = 1, status = 503): void {
    this.tokenFailures = { remaining: count, status };
  }

  clear(): void {
    this.failures = [];
    this.resets = [];
    this.delays = [];
    this.postingErrors = 0;
    this.tokenFailures = { remaining: 0, status: 503 };
  }

  takeFailure(method: string, target: string): InjectedFailure | undefined {
    const rule = this.failures.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (!candidate.method || candidate.method.toUpperCase() === method) &&
        (!candidate.path || candidate.path.test(target)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    this.injected += 1;
    return {
      status: rule.status,
      code: rule.code ?? defaultCodes[rule.status] ?? 'Internal_ServerError',
      message: rule.message ?? `The sandbox injected a ${rule.status} response for this request.`,
      retryAfterSeconds: rule.retryAfterSeconds ?? (rule.status === 429 ? 1 : undefined),
    };
  }

  takeReset(target: string): boolean {
    const rule = this.resets.find(
      (candidate) => candidate.remaining > 0 && (!candidate.path || candidate.path.test(target)),
    );
    if (!rule) return false;
    rule.remaining -= 1;
    this.injected += 1;
    return true;
  }

  delayFor(target: string): number {
    return this.delays
      .filter((delay) => !delay.path || delay.path.test(target))
      .reduce((total, delay) => total + delay.ms, 0);
  }

  /** Returns the error body to send after a successful posting, or undefined. */
  takePostingError(result: PostingResult): InjectedFailure | undefined {
    if (this.postingErrors === 0) return undefined;
    this.postingErrors -= 1;
    this.injected += 1;
    return {
      status: 400,
      code: 'Internal_DataNotFoundFilter',
      message: `There is no Sales Invoice Header within the filter.\r\n\r\nFilters: Order No.: ${result.orderNumber}, Order No. Series: S-ORD, Pre-Assigned No.: ''`,
    };
  }

  takeTokenFailure(): number | undefined {
    if (this.tokenFailures.remaining === 0) return undefined;
    this.tokenFailures.remaining -= 1;
    this.injected += 1;
    return this.tokenFailures.status;
  }
}
