import ky from 'ky';
import type { Settings } from '../config/schema';
import { TransientCode, TransientError } from '../errors';
import type { Logger } from '../logging';
import { tokenProviderFromSettings, type TokenProvider } from './auth';
import {
  BcClientDefectError,
  errorForBcResponse,
  parseBcErrorBody,
  parseRetryAfter,
} from './errors';
import { sharedBcLimiter, type BcLimiter } from './limiter';

export type { TokenProvider } from './auth';

/** OData query options; values are written as given and URL-encoded by the client. */
export interface BcQuery {
  filter?: string;
  expand?: string;
  select?: string;
  orderby?: string;
}

export interface BcClientOptions {
  /** `${base}/${tenant}/${environment}/api/v2.0/companies(${companyId})`, without a trailing slash. */
  companyUrl: string;
  tokenProvider: TokenProvider;
  limiter: BcLimiter;
  /** Rows per page requested with `Prefer: odata.maxpagesize` (BC allows at most 20,000). */
  pageSize: number;
  timeoutMs: number;
  log?: Logger;
}

interface RequestSpec {
  method: 'GET' | 'PATCH' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  json?: object;
}

/** A response with its body read in full. */
interface BcResponse {
  status: number;
  headers: Headers;
  text: string;
}

interface Page<T> {
  value: T[];
  nextLink: string | undefined;
}

const MAX_PAGE_SIZE = 20_000;

/** Writes `$filter=...&$expand=...` with each value percent-encoded (spaces as %20, not +). */
export function buildQueryString(query: BcQuery = {}): string {
  const parts: string[] = [];
  for (const name of ['filter', 'expand', 'select', 'orderby'] as const) {
    const value = query[name];
    if (value !== undefined && value !== '') parts.push(`$${name}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

/** Parses a JSON response body; an empty or non-JSON body is a protocol error. */
function parseJsonBody(response: BcResponse, method: string, path: string): unknown {
  try {
    return JSON.parse(response.text);
  } catch (error) {
    throw new Error(
      `BC ${method} ${path} returned ${response.status} with a body that is not JSON; expected a JSON response`,
      { cause: error },
    );
  }
}

/** Removes OData annotations such as `@odata.etag` from a PATCH or POST body. */
function withoutAnnotations(body: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key]) => !key.startsWith('@odata.')));
}

/**
 * Client for the BC API v2.0 of one company. Every request waits for the shared limiter, carries a
 * bearer token (refreshed once after a 401) and is sent once: ky's own retry is off because the
 * connector retries through scheduled Service Bus messages. Failures are classified into
 * TransientError, BusinessError or BcClientDefectError.
 */
export class BcClient {
  private readonly companyUrl: URL;
  private readonly options: BcClientOptions;
  private sent = 0;

  constructor(options: BcClientOptions) {
    if (
      !Number.isInteger(options.pageSize) ||
      options.pageSize < 1 ||
      options.pageSize > MAX_PAGE_SIZE
    ) {
      throw new RangeError(
        `BC page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${options.pageSize}`,
      );
    }
    this.options = options;
    this.companyUrl = new URL(options.companyUrl.replace(/\/+$/, ''));
  }

  /** Builds a client from the settings; every client of the process shares one limiter. */
  static fromSettings(settings: Settings, log?: Logger): BcClient {
    const base = settings.BC_API_BASE_URL.replace(/\/+$/, '');
    const tenant = encodeURIComponent(settings.BC_TENANT_ID);
    const environment = encodeURIComponent(settings.BC_ENVIRONMENT);
    return new BcClient({
      companyUrl: `${base}/${tenant}/${environment}/api/v2.0/companies(${settings.BC_COMPANY_ID})`,
      tokenProvider: tokenProviderFromSettings(settings),
      limiter: sharedBcLimiter({
        maxConcurrent: settings.BC_MAX_CONCURRENT_REQUESTS,
        maxPerWindow: settings.BC_MAX_REQUESTS_PER_5_MINUTES,
        windowMs: 5 * 60 * 1000,
      }),
      pageSize: settings.BC_PAGE_SIZE,
      timeoutMs: settings.BC_REQUEST_TIMEOUT_SECONDS * 1000,
      log,
    });
  }

  /** HTTP requests sent by this client, including token refresh retries. */
  get requestCount(): number {
    return this.sent;
  }

  /**
   * Reads an entity set page by page. The page size is requested with the Prefer header, and
   * pages are followed through `@odata.nextLink` until a page has none. `$top` is never sent,
   * because BC omits nextLink from a `$top` response even when more rows match.
   */
  async *listPages<T>(entitySet: string, query?: BcQuery): AsyncIterable<T[]> {
    let url: URL | undefined = this.urlFor(entitySet, query);
    while (url !== undefined) {
      const page: Page<T> = await this.readPage<T>(url);
      yield page.value;
      url = page.nextLink === undefined ? undefined : this.checkedNextLink(page.nextLink);
    }
  }

  /** Reads one entity (including `@odata.etag`) or a collection response. */
  async get<T>(path: string, query?: BcQuery): Promise<T> {
    const response = await this.send({ method: 'GET', url: this.urlFor(path, query) });
    const body = parseJsonBody(response, 'GET', path);
    const etag = response.headers.get('etag');
    if (typeof body === 'object' && body !== null && etag !== null && !('@odata.etag' in body)) {
      (body as Record<string, unknown>)['@odata.etag'] = etag;
    }
    return body as T;
  }

  /**
   * Updates an entity. The ETag goes unchanged (weak `W/"..."` prefix and quotes kept) into
   * `If-Match`; BC ignores an ETag in the body, so annotations are removed from it.
   */
  async patch<T>(path: string, body: object, etag: string): Promise<T> {
    if (typeof etag !== 'string' || etag.trim() === '') {
      throw new BcClientDefectError(
        `PATCH ${path} called without an ETag; read the record first and pass its @odata.etag`,
        { method: 'PATCH', path },
      );
    }
    const response = await this.send({
      method: 'PATCH',
      url: this.urlFor(path),
      headers: { 'If-Match': etag },
      json: withoutAnnotations(body),
    });
    return parseJsonBody(response, 'PATCH', path) as T;
  }

  /**
   * Creates an entity or calls a bound action such as
   * `salesOrders({id})/Microsoft.NAV.shipAndInvoice`. Returns undefined for 204 No Content.
   */
  async post<T>(path: string, body?: object): Promise<T | undefined> {
    const response = await this.send({
      method: 'POST',
      url: this.urlFor(path),
      json: body === undefined ? undefined : withoutAnnotations(body),
    });
    if (response.status === 204 || response.text.trim() === '') return undefined;
    return parseJsonBody(response, 'POST', path) as T;
  }

  private urlFor(path: string, query?: BcQuery): URL {
    const relative = path.replace(/^\/+/, '');
    if (relative.includes('?') || /^[a-z]+:/i.test(relative)) {
      throw new RangeError(
        `Invalid BC path '${path}': pass a path relative to the company URL and the query separately`,
      );
    }
    const url = new URL(`${this.companyUrl.href}/${relative}`);
    url.search = buildQueryString(query);
    return url;
  }

  /** Accepts a nextLink only on the company URL's origin, so the token never goes elsewhere. */
  private checkedNextLink(nextLink: string): URL {
    const url = new URL(nextLink, this.companyUrl);
    if (url.origin !== this.companyUrl.origin) {
      throw new Error(
        `BC returned an @odata.nextLink on ${url.origin}, not on ${this.companyUrl.origin}; the client does not send its token to another origin`,
      );
    }
    return url;
  }

  private async readPage<T>(url: URL): Promise<Page<T>> {
    const response = await this.send({
      method: 'GET',
      url,
      headers: { Prefer: `odata.maxpagesize=${this.options.pageSize}` },
    });
    const path = this.logPath(url);
    const body = parseJsonBody(response, 'GET', path) as {
      value?: unknown;
      '@odata.nextLink'?: unknown;
    };
    if (!Array.isArray(body?.value)) {
      throw new Error(`BC GET ${path} returned no 'value' array; expected a collection response`);
    }
    const nextLink = body['@odata.nextLink'];
    return {
      value: body.value as T[],
      nextLink: typeof nextLink === 'string' && nextLink !== '' ? nextLink : undefined,
    };
  }

  /** Sends the request through the limiter; after a 401 it refreshes the token and sends it once more. */
  private async send(spec: RequestSpec): Promise<BcResponse> {
    const token = await this.options.tokenProvider.getToken();
    let response = await this.options.limiter.run(() => this.sendOnce(spec, token));
    if (response.status === 401) {
      this.options.log?.warn('BC returned 401; refreshing the access token and retrying once', {
        method: spec.method,
        path: this.logPath(spec.url),
      });
      const freshToken = await this.options.tokenProvider.getToken({ forceRefresh: true });
      response = await this.options.limiter.run(() => this.sendOnce(spec, freshToken));
    }
    if (response.status < 200 || response.status > 299) throw this.failure(spec, response);
    return response;
  }

  /**
   * Sends one HTTP request and reads the whole body. The timeout covers both, so a server that
   * stalls while streaming the body also times out.
   */
  private async sendOnce(spec: RequestSpec, token: string): Promise<BcResponse> {
    this.sent += 1;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await ky(spec.url, {
        method: spec.method,
        headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, ...spec.headers },
        json: spec.json,
        retry: 0,
        timeout: false,
        signal,
        throwHttpErrors: false,
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      throw this.networkFailure(spec, error, signal.aborted);
    }
  }

  private networkFailure(spec: RequestSpec, error: unknown, timedOut: boolean): TransientError {
    const code = timedOut ? TransientCode.Timeout : TransientCode.Network;
    const path = this.logPath(spec.url);
    this.options.log?.warn('BC request failed', { method: spec.method, path, error: code });
    const reason = timedOut
      ? `timed out after ${this.options.timeoutMs} ms`
      : `failed before a response: ${(error as Error).message}`;
    return new TransientError(code, `BC ${spec.method} ${path} ${reason}`, {
      cause: error,
      details: { method: spec.method, path },
    });
  }

  private failure(spec: RequestSpec, response: BcResponse): Error {
    const path = this.logPath(spec.url);
    const body = parseBcErrorBody(response.text);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    this.options.log?.warn('BC request failed', {
      method: spec.method,
      path,
      status: response.status,
      bcCode: body.bcCode,
    });
    return errorForBcResponse({
      method: spec.method,
      path,
      status: response.status,
      body,
      retryAfterMs,
    });
  }

  /** Returns the request path relative to the company URL, without the query string. */
  private logPath(url: URL): string {
    const prefix = `${this.companyUrl.pathname}/`;
    return url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
  }
}
