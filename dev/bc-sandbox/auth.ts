import { randomBytes } from 'node:crypto';

export interface AuthOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  tokenLifetimeSeconds: number;
}

/** Response of the token endpoint, in Microsoft Entra ID's shape. */
export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

const entraError = (status: number, error: string, description: string): TokenResponse => ({
  status,
  body: {
    error,
    error_description: description,
    error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)],
  },
});

/**
 * The sandbox's stand-in for the Entra ID token endpoint (client credentials grant) and the
 * bearer-token check of the API.
 */
export class TokenIssuer {
  issued = 0;
  private readonly tokens = new Map<string, { tenantId: string; expiresAt: number }>();

  constructor(private readonly options: AuthOptions) {}

  /** Answers `POST {authority}/{tenant}/oauth2/v2.0/token` with a form-encoded body. */
  issue(tenantId: string, form: URLSearchParams): TokenResponse {
    const o = this.options;
    if (tenantId !== o.tenantId) {
      return entraError(
        400,
        'invalid_request',
        `AADSTS90002: Tenant '${tenantId}' not found. Check the tenant id in the token URL.`,
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return entraError(
        400,
        'unsupported_grant_type',
        `AADSTS70003: The grant type '${form.get('grant_type') ?? ''}' is not supported; use client_credentials.`,
      );
    }
    if (form.get('client_id') !== o.clientId) {
      return entraError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
      );
    }
    if (form.get('client_secret') !== o.clientSecret) {
      return entraError(
        401,
        'invalid_client',
        'AADSTS7000215: Invalid client secret provided. Use the secret value, not the secret id.',
      );
    }
    if (form.get('scope') !== o.scope) {
      return entraError(
        400,
        'invalid_scope',
        `AADSTS1002012: The provided value for scope '${form.get('scope') ?? ''}' is not valid. Use '${o.scope}'.`,
      );
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { tenantId, expiresAt: Date.now() + o.tokenLifetimeSeconds * 1000 });
    this.issued += 1;
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: o.tokenLifetimeSeconds,
        ext_expires_in: o.tokenLifetimeSeconds,
        access_token: token,
      },
    };
  }

  /** Checks an `Authorization` header for a live token of the tenant in the URL. */
  verify(authorization: string | undefined, tenantId: string): boolean {
    const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    const entry = match ? this.tokens.get(match[1] as string) : undefined;
    return entry !== undefined && entry.tenantId === tenantId && entry.expiresAt > Date.now();
  }

  /** Invalidates every issued token, so the next API call gets 401. */
  revokeAll(): void {
    this.tokens.clear();
  }
}
