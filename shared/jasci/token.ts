/** A bearer token from `POST /authenticate` and the instant it stops being valid. */
export interface JasciToken {
  token: string;
  obtainedAtMs: number;
  expiresAtMs: number;
}

/** Renew at most this long before expiry; shorter-lived tokens are renewed at half their lifetime. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Caches one token and renews it shortly before it expires. Concurrent callers share one
 * `/authenticate` request instead of each starting their own.
 */
export class JasciTokenCache {
  private current: JasciToken | undefined;
  private pending: Promise<JasciToken> | undefined;

  constructor(
    private readonly obtain: () => Promise<JasciToken>,
    private readonly now: () => number,
  ) {}

  async get(): Promise<string> {
    const token = this.current;
    if (token && !this.isDue(token)) return token.token;
    return (await this.refresh()).token;
  }

  /** Drops the cached token, e.g. after JASCI rejected it with 401. */
  invalidate(rejected?: string): void {
    if (rejected === undefined || this.current?.token === rejected) this.current = undefined;
  }

  private isDue(token: JasciToken): boolean {
    const lifetime = token.expiresAtMs - token.obtainedAtMs;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 2);
    return this.now() >= token.expiresAtMs - margin;
  }

  private refresh(): Promise<JasciToken> {
    this.pending ??= this.obtain()
      .then((token) => {
        this.current = token;
        return token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

/**
 * Reads `expiresAt` as JASCI may send it: an ISO timestamp, or a number of epoch seconds or
 * milliseconds. Returns epoch milliseconds, or undefined when the value is unreadable.
 */
export function parseExpiry(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value < 1e12 ? value * 1000 : value;
  }
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return parseExpiry(Number(value));
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}
