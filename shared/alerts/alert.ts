import type { Logger } from '../logging';
import type { FailureRecord } from '../state/failures';

/** Tells operators about a failure that needs them. */
export interface Alerter {
  alert(failure: FailureRecord): Promise<void>;
}

export interface LogAlerterOptions {
  /** Length of the window in which repeats of one code and flow are counted, in milliseconds. */
  windowMs?: number;
  /** Alerts logged per code and flow within one window; further ones are only counted. */
  maxPerWindow?: number;
  now?: () => number;
}

interface WindowState {
  flow: string;
  code: string;
  startedAt: number;
  logged: number;
  suppressed: number;
}

/**
 * Alerts by writing one structured error line, `Connector failure alert`, which a log-based
 * alert rule can count. Repeats of the same code and flow within a minute are counted instead of
 * logged, and the count is logged as `Connector failure alerts suppressed` once that window ends
 * (on the next alert, or on `flush`).
 */
export class LogAlerter implements Alerter {
  private readonly windows = new Map<string, WindowState>();
  private readonly windowMs: number;
  private readonly maxPerWindow: number;
  private readonly now: () => number;

  constructor(
    private readonly log: Logger,
    options: LogAlerterOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxPerWindow = options.maxPerWindow ?? 1;
    this.now = options.now ?? Date.now;
  }

  async alert(failure: FailureRecord): Promise<void> {
    const now = this.now();
    this.closeExpiredWindows(now);
    const key = `${failure.flow}\u0000${failure.code}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { flow: failure.flow, code: failure.code, startedAt: now, logged: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.logged >= this.maxPerWindow) {
      window.suppressed += 1;
      return;
    }
    window.logged += 1;
    this.log.error('Connector failure alert', {
      flow: failure.flow,
      code: failure.code,
      category: failure.category,
      kind: failure.kind,
      documentKey: failure.documentKey,
      failureId: failure.id,
      attempt: failure.attempt,
      correlationId: failure.correlationId,
    });
  }

  /** Logs the suppressed counts of all windows, ended or not, and clears them. */
  flush(): void {
    for (const window of this.windows.values()) this.reportSuppressed(window);
    this.windows.clear();
  }

  private closeExpiredWindows(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < this.windowMs) continue;
      this.reportSuppressed(window);
      this.windows.delete(key);
    }
  }

  private reportSuppressed(window: WindowState): void {
    if (window.suppressed === 0) return;
    this.log.warn('Connector failure alerts suppressed', {
      flow: window.flow,
      code: window.code,
      suppressed: window.suppressed,
      windowStartedAt: new Date(window.startedAt).toISOString(),
      windowMs: this.windowMs,
    });
  }
}
