import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verifySharedSecret } from '../../shared/jasci/signature';

export interface SandboxCredentials {
  tenantId: string;
  companyId: string;
  userId: string;
  password: string;
}

export type AuthCheck = { ok: true } | { ok: false; message: string };

/**
 * The two JASCI auth schemes: an `API-KEY-X` header, or a bearer token from `POST /authenticate`.
 * With neither an API key nor credentials configured, every request is accepted.
 */
export class SandboxAuth {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly apiKey: string | undefined,
    private readonly credentials: SandboxCredentials | undefined,
    private readonly tokenLifetimeMs: number,
    private readonly nowMs: () => number,
  ) {}

  /** Issues a token for matching credentials; undefined when they do not match. */
  authenticate(body: unknown): { token: string; issuedAt: string; expiresAt: string } | undefined {
    const expected = this.credentials;
    if (!expected || typeof body !== 'object' || body === null) return undefined;
    const received = body as Record<string, unknown>;
    const fields = ['tenantId', 'companyId', 'userId', 'password'] as const;
    const matches = fields.every((field) => {
      const value = received[field];
      return typeof value === 'string' && verifySharedSecret(expected[field], value);
    });
    if (!matches) return undefined;

    const token = randomBytes(24).toString('base64url');
    const issuedAtMs = this.nowMs();
    const expiresAtMs = issuedAtMs + this.tokenLifetimeMs;
    this.tokens.set(token, expiresAtMs);
    return {
      token,
      issuedAt: new Date(issuedAtMs).toISOString(),
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
  }

  check(headers: IncomingHttpHeaders): AuthCheck {
    if (this.apiKey === undefined && this.credentials === undefined) return { ok: true };
    const key = headers['api-key-x'];
    if (typeof key === 'string' && this.apiKey !== undefined) {
      return verifySharedSecret(this.apiKey, key)
        ? { ok: true }
        : { ok: false, message: 'The API-KEY-X header does not hold a valid API key.' };
    }
    const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
    if (bearer !== undefined && this.credentials !== undefined) {
      const expiresAtMs = this.tokens.get(bearer);
      if (expiresAtMs === undefined) return { ok: false, message: 'The bearer token is unknown.' };
      if (this.nowMs() >= expiresAtMs)
        return { ok: false, message: 'The bearer token has expired.' };
      return { ok: true };
    }
    return {
      ok: false,
      message: 'Missing credentials: send an API-KEY-X header or a bearer token.',
    };
  }

  /** Makes every issued token invalid, as if all of them had expired. */
  expireTokens(): void {
    this.tokens.clear();
  }
}
