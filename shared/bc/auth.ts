import {
  ClientAssertionCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import ky, { TimeoutError } from 'ky';
import type { Settings } from '../config/schema';
import { ConfigError, TransientCode, TransientError } from '../errors';

/** Supplies bearer tokens for BC. `forceRefresh` requests a new token after BC returned 401. */
export interface TokenProvider {
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

/** Scope of the Entra token that a managed identity exchanges for an app registration token. */
export const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

/** Tokens are renewed this long before they expire, so a request never carries an expiring one. */
const DEFAULT_REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

/**
 * Caches one token and shares a single pending request among concurrent callers. `fetchToken`
 * returns the token with its expiry; the cache is used until `refreshMarginMs` before that, or
 * until half of a shorter lifetime has passed.
 */
class TokenCache implements TokenProvider {
  private cached: CachedToken | undefined;
  private refreshAtMs = 0;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<CachedToken>,
    private readonly refreshMarginMs: number,
    private readonly now: () => number,
  ) {}

  async getToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    if (options.forceRefresh) this.cached = undefined;
    if (this.cached && this.now() < this.refreshAtMs) return this.cached.token;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<string> {
    const issuedAtMs = this.now();
    const fresh = await this.fetchToken();
    const lifetimeMs = fresh.expiresAtMs - issuedAtMs;
    const margin = Math.min(this.refreshMarginMs, lifetimeMs / 2);
    this.cached = fresh;
    this.refreshAtMs = fresh.expiresAtMs - margin;
    return fresh.token;
  }
}

export interface CredentialTokenProviderOptions {
  refreshMarginMs?: number;
  now?: () => number;
}

/** Wraps an @azure/identity credential; any failure to get a token is a transient AUTH error. */
export function credentialTokenProvider(
  credential: TokenCredential,
  scope: string,
  options: CredentialTokenProviderOptions = {},
): TokenProvider {
  // NOTE: after a 401, `forceRefresh` clears only this cache. @azure/identity keeps its own
  // token cache, so the credential may return the same token until it is close to expiry.
  const fetchToken = async (): Promise<CachedToken> => {
    let accessToken;
    try {
      accessToken = await credential.getToken(scope);
    } catch (error) {
      throw new TransientError(
        TransientCode.Auth,
        `Getting a BC access token for scope ${scope} failed: ${(error as Error).message}`,
        { cause: error, details: { scope } },
      );
    }
    if (!accessToken) {
      throw new TransientError(
        TransientCode.Auth,
        `Getting a BC access token for scope ${scope} returned no token; check the credential`,
        { details: { scope } },
      );
    }
    return { token: accessToken.token, expiresAtMs: accessToken.expiresOnTimestamp };
  };
  return new TokenCache(
    fetchToken,
    options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS,
    options.now ?? Date.now,
  );
}

export interface ClientCredentialsOptions {
  /** OAuth2 token endpoint, e.g. `${authority}/${tenant}/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  timeoutMs?: number;
  refreshMarginMs?: number;
  now?: () => number;
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
}

async function readTokenResponse(response: Response): Promise<TokenResponse> {
  try {
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null ? body : {};
  } catch {
    return {};
  }
}

/**
 * Gets tokens with a plain OAuth2 client-credentials POST. Only the local sandbox needs it:
 * @azure/identity 4.13.1 rejects an authority host that is not https ("The authorityHost address
 * must use the 'https' protocol."), so it cannot reach a token endpoint on http://127.0.0.1.
 */
export function clientCredentialsTokenProvider(options: ClientCredentialsOptions): TokenProvider {
  const now = options.now ?? Date.now;
  const fetchToken = async (): Promise<CachedToken> => {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: options.scope,
    });
    let response: Response;
    try {
      response = await ky.post(options.tokenUrl, {
        body: form,
        retry: 0,
        timeout: options.timeoutMs ?? 30_000,
        throwHttpErrors: false,
      });
    } catch (error) {
      const timedOut = error instanceof TimeoutError;
      throw new TransientError(
        timedOut ? TransientCode.Timeout : TransientCode.Auth,
        `Token request to ${options.tokenUrl} ${timedOut ? 'timed out' : 'failed'}: ${(error as Error).message}`,
        { cause: error, details: { tokenUrl: options.tokenUrl } },
      );
    }
    const body = await readTokenResponse(response);
    if (!response.ok || typeof body.access_token !== 'string' || body.access_token === '') {
      const reason = typeof body.error === 'string' ? ` (${body.error})` : '';
      throw new TransientError(
        TransientCode.Auth,
        `Token request to ${options.tokenUrl} returned ${response.status}${reason} without an access token; check BC_CLIENT_ID, BC_CLIENT_SECRET and BC_SCOPE`,
        { details: { tokenUrl: options.tokenUrl, status: response.status } },
      );
    }
    const lifetimeSeconds = Number(body.expires_in);
    const expiresAtMs =
      now() +
      (Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 0 ? lifetimeSeconds : 300) * 1000;
    return { token: body.access_token, expiresAtMs };
  };
  return new TokenCache(fetchToken, options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS, now);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Returns true for an http:// URL on this machine, where the local sandbox runs. */
export function isHttpLoopback(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
}

function tokenUrlFor(settings: Settings): string {
  const authority = settings.BC_AUTHORITY_HOST.replace(/\/+$/, '');
  return `${authority}/${encodeURIComponent(settings.BC_TENANT_ID)}/oauth2/v2.0/token`;
}

function requireSetting(value: string | undefined, name: string, reason: string): string {
  if (!value) throw new ConfigError([`${name}: missing; required ${reason}`]);
  return value;
}

/**
 * Chooses the token provider for the BC settings:
 * - BC_AUTHORITY_HOST on http:// loopback: the plain client-credentials POST (local sandbox only);
 * - BC_AUTH_MODE clientSecret: ClientSecretCredential;
 * - BC_AUTH_MODE managedIdentity: ClientAssertionCredential for the app registration BC_CLIENT_ID,
 *   whose assertion is a managed identity token for api://AzureADTokenExchange (a federated
 *   credential on the app registration trusts that identity, so no secret is stored).
 */
export function tokenProviderFromSettings(settings: Settings): TokenProvider {
  const authorityHost = settings.BC_AUTHORITY_HOST;
  const scope = settings.BC_SCOPE;
  if (isHttpLoopback(authorityHost)) {
    // NOTE: chosen only for an http:// loopback authority, because @azure/identity rejects any
    // authority that is not https. Every real deployment goes through @azure/identity below.
    if (settings.BC_AUTH_MODE !== 'clientSecret') {
      throw new ConfigError([
        `BC_AUTH_MODE: managedIdentity is not available with the local authority ${authorityHost}; use clientSecret`,
      ]);
    }
    return clientCredentialsTokenProvider({
      tokenUrl: tokenUrlFor(settings),
      clientId: requireSetting(
        settings.BC_CLIENT_ID,
        'BC_CLIENT_ID',
        'when BC_AUTH_MODE is clientSecret',
      ),
      clientSecret: requireSetting(
        settings.BC_CLIENT_SECRET,
        'BC_CLIENT_SECRET',
        'when BC_AUTH_MODE is clientSecret',
      ),
      scope,
      timeoutMs: settings.BC_REQUEST_TIMEOUT_SECONDS * 1000,
    });
  }
  if (!authorityHost.startsWith('https://')) {
    throw new ConfigError([
      `BC_AUTHORITY_HOST: ${authorityHost} must use https (plain http is accepted only on 127.0.0.1 or localhost)`,
    ]);
  }
  const clientId = requireSetting(settings.BC_CLIENT_ID, 'BC_CLIENT_ID', 'to authenticate to BC');
  if (settings.BC_AUTH_MODE === 'clientSecret') {
    const secret = requireSetting(
      settings.BC_CLIENT_SECRET,
      'BC_CLIENT_SECRET',
      'when BC_AUTH_MODE is clientSecret',
    );
    const credential = new ClientSecretCredential(settings.BC_TENANT_ID, clientId, secret, {
      authorityHost,
    });
    return credentialTokenProvider(credential, scope);
  }
  const managedIdentity = settings.AZURE_CLIENT_ID
    ? new ManagedIdentityCredential({ clientId: settings.AZURE_CLIENT_ID })
    : new ManagedIdentityCredential();
  const getAssertion = async (): Promise<string> => {
    const assertion = await managedIdentity.getToken(TOKEN_EXCHANGE_SCOPE);
    return assertion.token;
  };
  const credential = new ClientAssertionCredential(settings.BC_TENANT_ID, clientId, getAssertion, {
    authorityHost,
  });
  return credentialTokenProvider(credential, scope);
}
