import ky, { type KyInstance } from 'ky';
import * as v from 'valibot';
import type { Settings } from '../config/schema';
import { BusinessCode, BusinessError, ConfigError, TransientCode, TransientError } from '../errors';
import { errorForFailedRequest, errorForResponse, type JasciRequestInfo } from './httpErrors';
import { JasciTokenCache, parseExpiry, type JasciToken } from './token';
import {
  describeIssues,
  jasciOutboundOrderRecordSchema,
  type JasciOutboundOrder,
  type JasciOutboundOrderRecord,
} from './wire';

export type JasciAuth =
  | { mode: 'apiKey'; apiKey: string }
  | { mode: 'oauth'; tenantId: string; companyId: string; userId: string; password: string };

/** The part of the project's Logger that the client uses. */
export interface JasciClientLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface JasciClientOptions {
  /** API root, e.g. `https://uat-api.jasci.net/JasciRestApi`; paths such as `V1/...` go below it. */
  baseUrl: string;
  auth: JasciAuth;
  timeoutMs: number;
  log?: JasciClientLog;
  /** Clock for token expiry, in epoch milliseconds; tests move it forward. */
  now?: () => number;
}

/** Used when `/authenticate` returns no readable `expiresAt`; JASCI's tokens last about an hour. */
const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

interface SendOptions {
  json?: unknown;
  /** Return a 404 response to the caller instead of throwing. */
  allowNotFound?: boolean;
  /** Advice for a 409 on this call, used in place of the generic advice. */
  conflictHint?: string;
}

/**
 * JASCI REST client for outbound orders. It never retries by itself: a failed call throws a
 * TransientError or a BusinessError, and the connector schedules the retry as a new message.
 * The one exception is a 401 in OAuth mode, which renews the token and repeats the call once.
 */
export class JasciClient {
  private readonly http: KyInstance;
  private readonly tokens: JasciTokenCache | undefined;
  private readonly now: () => number;
  private requests = 0;

  constructor(private readonly options: JasciClientOptions) {
    this.now = options.now ?? Date.now;
    this.http = ky.create({
      prefixUrl: options.baseUrl,
      timeout: options.timeoutMs,
      retry: 0,
      throwHttpErrors: false,
      headers: { Accept: 'application/json' },
    });
    const auth = options.auth;
    this.tokens =
      auth.mode === 'oauth'
        ? new JasciTokenCache(() => this.authenticate(auth), this.now)
        : undefined;
  }

  static fromSettings(settings: Settings, log?: JasciClientLog): JasciClient {
    return new JasciClient({
      baseUrl: settings.JASCI_BASE_URL,
      auth: authFromSettings(settings),
      timeoutMs: settings.JASCI_REQUEST_TIMEOUT_SECONDS * 1000,
      log,
    });
  }

  /** Number of HTTP requests sent to JASCI so far, `/authenticate` included. */
  get requestCount(): number {
    return this.requests;
  }

  /** Creates or replaces the order under its `orderNumber`. */
  async upsertOutboundOrder(order: JasciOutboundOrder): Promise<'created' | 'updated'> {
    const response = await this.send('PUT', orderPath(order.orderNumber), {
      json: order,
      conflictHint:
        'The order is already in fulfilment in JASCI and can no longer be changed; settle the change in JASCI.',
    });
    await discardBody(response);
    return response.status === 201 ? 'created' : 'updated';
  }

  /** Cancels the order. JASCI returns 409 when the order is already in fulfilment. */
  async cancelOutboundOrder(orderNumber: string, reason?: string): Promise<void> {
    const response = await this.send('POST', `${orderPath(orderNumber)}/cancel`, {
      json: reason === undefined ? {} : { reason },
      conflictHint:
        'The order is already in fulfilment in JASCI and can no longer be cancelled; stop it in JASCI.',
    });
    await discardBody(response);
  }

  /** Reads the order with its JASCI status; returns undefined when JASCI has no such order (404). */
  async getOutboundOrder(orderNumber: string): Promise<JasciOutboundOrderRecord | undefined> {
    const path = orderPath(orderNumber);
    const response = await this.send('GET', path, { allowNotFound: true });
    if (response.status === 404) {
      await discardBody(response);
      return undefined;
    }
    const body = (await this.readJson(response, { method: 'GET', path })) as { data?: unknown };
    const result = v.safeParse(jasciOutboundOrderRecordSchema, body?.data);
    if (!result.success) {
      throw new BusinessError(
        BusinessCode.InvalidPayload,
        `JASCI returned order ${orderNumber} in an unexpected shape (${describeIssues(result.issues).join('; ')}). ` +
          'Check that JASCI_BASE_URL points at the JASCI API.',
        { details: { method: 'GET', path } },
      );
    }
    return result.output;
  }

  private async send(method: string, path: string, options: SendOptions = {}): Promise<Response> {
    const request = { method, path };
    let token = await this.tokens?.get();
    let response = await this.fetch(request, options.json, token);
    if (response.status === 401 && this.tokens) {
      this.options.log?.warn(
        'JASCI rejected the bearer token; requesting a new one and retrying once',
        {
          method,
          path,
        },
      );
      await discardBody(response);
      this.tokens.invalidate(token);
      token = await this.tokens.get();
      response = await this.fetch(request, options.json, token);
    }
    if (response.ok || (options.allowNotFound && response.status === 404)) return response;

    const bodyText = await this.readText(response, request);
    throw errorForResponse(
      request,
      response.status,
      bodyText,
      response.headers.get('Retry-After'),
      this.now(),
      response.status === 409 ? options.conflictHint : undefined,
    );
  }

  /** Sends one request; throws a TransientError when no response arrives. */
  private async fetch(request: JasciRequestInfo, json: unknown, token?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.auth.mode === 'apiKey') headers['API-KEY-X'] = this.options.auth.apiKey;
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    this.requests += 1;
    try {
      return await this.http(request.path.replace(/^\//, ''), {
        method: request.method,
        headers,
        json,
        // ky's own timeout ends when the headers arrive; this signal also bounds reading the body.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw errorForFailedRequest(request, error, this.options.timeoutMs);
    }
  }

  private async readText(response: Response, request: JasciRequestInfo): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw errorForFailedRequest(request, error, this.options.timeoutMs);
    }
  }

  private async readJson(response: Response, request: JasciRequestInfo): Promise<unknown> {
    const text = await this.readText(response, request);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new TransientError(
        TransientCode.ServerError,
        `JASCI returned a body that is not JSON for ${request.method} ${request.path}; the message is retried later.`,
        { details: { status: response.status, ...request } },
      );
    }
  }

  private async authenticate(auth: Extract<JasciAuth, { mode: 'oauth' }>): Promise<JasciToken> {
    const request = { method: 'POST', path: '/authenticate' };
    const { tenantId, companyId, userId, password } = auth;
    const response = await this.fetch(request, { tenantId, companyId, userId, password });

    if (!response.ok) {
      const bodyText = await this.readText(response, request);
      // Any rejection of the credentials is a settings problem, reported like a 401.
      const status = response.status === 400 || response.status === 403 ? 401 : response.status;
      throw errorForResponse(
        request,
        status,
        bodyText,
        response.headers.get('Retry-After'),
        this.now(),
      );
    }

    const body = (await this.readJson(response, request)) as { data?: Record<string, unknown> };
    const token = body?.data?.token;
    if (typeof token !== 'string' || token === '') {
      throw new TransientError(
        TransientCode.Auth,
        'JASCI /authenticate returned no data.token; check JASCI_BASE_URL and the JASCI credentials.',
        { details: { status: response.status, ...request } },
      );
    }

    const obtainedAtMs = this.now();
    let expiresAtMs = parseExpiry(body.data?.expiresAt);
    if (expiresAtMs === undefined) {
      // NOTE: the token lifetime is assumed, so an early expiry shows up as one extra 401 and renewal.
      this.options.log?.warn(
        'JASCI /authenticate returned no readable expiresAt; assuming one hour',
      );
      expiresAtMs = obtainedAtMs + DEFAULT_TOKEN_LIFETIME_MS;
    }
    this.options.log?.info('Obtained a JASCI bearer token', {
      expiresAt: new Date(expiresAtMs).toISOString(),
    });
    return { token, obtainedAtMs, expiresAtMs };
  }
}

function orderPath(orderNumber: string): string {
  return `/V1/outbound-orders/${encodeURIComponent(orderNumber)}`;
}

async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is unused; a failure to drop it changes nothing.
  }
}

function authFromSettings(settings: Settings): JasciAuth {
  if (settings.JASCI_AUTH_MODE === 'apiKey') {
    if (!settings.JASCI_API_KEY) {
      throw new ConfigError(['JASCI_API_KEY: missing; required when JASCI_AUTH_MODE is apiKey']);
    }
    return { mode: 'apiKey', apiKey: settings.JASCI_API_KEY };
  }
  const { JASCI_TENANT_ID, JASCI_COMPANY_ID, JASCI_USER_ID, JASCI_PASSWORD } = settings;
  if (!JASCI_TENANT_ID || !JASCI_COMPANY_ID || !JASCI_USER_ID || !JASCI_PASSWORD) {
    throw new ConfigError([
      'JASCI_TENANT_ID, JASCI_COMPANY_ID, JASCI_USER_ID, JASCI_PASSWORD: all required when JASCI_AUTH_MODE is oauth',
    ]);
  }
  return {
    mode: 'oauth',
    tenantId: JASCI_TENANT_ID,
    companyId: JASCI_COMPANY_ID,
    userId: JASCI_USER_ID,
    password: JASCI_PASSWORD,
  };
}
