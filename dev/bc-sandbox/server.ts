import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenIssuer } from './auth';
import { handleBatch } from './batch';
import { BcApiError, bcErrorBody } from './errors';
import type { Faults } from './faults';
import type { RequestLimits } from './limits';
import { type ApiContext, type ApiResponse, handleApiRequest } from './routes';

/** Counters the tests and the benchmark read. */
export interface SandboxStats {
  /** API requests received (token requests not included). */
  requests: number;
  /** Requests by method and path, with keys replaced by `{id}`, e.g. `GET salesOrders`. */
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  /** Requests rejected by the rate or queue limit (injected faults not included). */
  throttled: number;
  maxConcurrentSeen: number;
  inProgress: number;
  queued: number;
  tokenRequests: number;
  tokensIssued: number;
  faultsInjected: number;
}

export interface ServerParts {
  tenantId: string;
  environment: string;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  origin(): string;
  context(apiRoot: string): ApiContext;
  tokens: TokenIssuer;
  faults: Faults;
  limits: RequestLimits;
  counters: {
    requests: number;
    tokenRequests: number;
    byPath: Map<string, number>;
    byStatus: Map<string, number>;
  };
  sleep(ms: number): Promise<void>;
  onUnexpectedError(error: unknown): void;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const API_PATH = /^\/v2\.0\/([^/]+)\/([^/]+)\/api\/v2\.0(?:\/(.*))?$/;

/** Returns the request listener: token endpoint, then the API behind faults, auth and limits. */
export function createRequestListener(parts: ServerParts) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(parts, request, response).catch((error: unknown) => {
      if (response.headersSent) return;
      if (error instanceof BcApiError) return sendError(response, error);
      parts.onUnexpectedError(error);
      sendError(
        response,
        new BcApiError(500, 'Internal_ServerError', 'The sandbox failed to process the request.'),
      );
    });
  };
}

async function handle(
  parts: ServerParts,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', parts.origin());
  const method = (request.method ?? 'GET').toUpperCase();
  const raw = await readBody(request);

  const tokenMatch = TOKEN_PATH.exec(url.pathname);
  if (tokenMatch)
    return handleToken(parts, method, decodeURIComponent(tokenMatch[1] as string), raw, response);

  const apiMatch = API_PATH.exec(url.pathname);
  if (!apiMatch)
    return sendError(
      response,
      new BcApiError(
        404,
        'BadRequest_NotFound',
        'No HTTP resource was found that matches the request URI.',
      ),
    );
  const [, tenant = '', environment = '', rest = ''] = apiMatch.map((part) =>
    part === undefined ? '' : decodeURIComponent(part),
  );
  const target = `${url.pathname}${url.search}`;
  parts.counters.requests += 1;
  const pathKey = `${method} ${normalizePath(rest)}`;
  parts.counters.byPath.set(pathKey, (parts.counters.byPath.get(pathKey) ?? 0) + 1);
  const send = (apiResponse: ApiResponse): void => {
    parts.counters.byStatus.set(
      String(apiResponse.status),
      (parts.counters.byStatus.get(String(apiResponse.status)) ?? 0) + 1,
    );
    writeResponse(response, apiResponse);
  };

  if (parts.faults.takeReset(target)) {
    request.socket.destroy();
    return;
  }
  const injected = parts.faults.takeFailure(method, target);
  if (injected)
    return send(
      errorResponse(
        new BcApiError(
          injected.status,
          injected.code,
          injected.message,
          retryAfter(injected.retryAfterSeconds),
        ),
      ),
    );
  if (!parts.tokens.verify(request.headers.authorization, tenant)) {
    return send(
      errorResponse(
        new BcApiError(
          401,
          'Authentication_InvalidCredentials',
          'The server has rejected the client credentials. Send a valid bearer token from the token endpoint.',
          {
            'WWW-Authenticate': `Bearer authorization_uri="${parts.origin()}/${tenant}/oauth2/authorize", error="invalid_token"`,
          },
        ),
      ),
    );
  }
  if (tenant !== parts.tenantId || environment !== parts.environment) {
    return send(
      errorResponse(
        new BcApiError(
          404,
          'BadRequest_NotFound',
          `The environment '${environment}' of tenant '${tenant}' does not exist.`,
        ),
      ),
    );
  }

  const admission = await parts.limits.admit();
  if (!admission.ok) {
    return send(
      errorResponse(
        new BcApiError(
          admission.status,
          admission.code,
          admission.message,
          retryAfter(admission.retryAfterSeconds),
        ),
      ),
    );
  }
  try {
    const delay = parts.faults.delayFor(target);
    if (delay > 0) await parts.sleep(delay);
    const body = parseJson(raw);
    const apiRoot = `${parts.origin()}/v2.0/${tenant}/${environment}/api/v2.0`;
    const context = parts.context(apiRoot);
    const header = (name: string): string | undefined => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    if (rest === '$batch') {
      if (method !== 'POST')
        throw new BcApiError(405, 'BadRequest_MethodNotAllowed', 'Send $batch requests with POST.');
      return send(handleBatch(context, body, header('isolation')));
    }
    return send(
      handleApiRequest(context, {
        method,
        path: rest,
        rawQuery: url.search.slice(1),
        header,
        body,
      }),
    );
  } catch (error) {
    if (!(error instanceof BcApiError)) throw error;
    return send(errorResponse(error));
  } finally {
    admission.release();
  }
}

function handleToken(
  parts: ServerParts,
  method: string,
  tenant: string,
  raw: Buffer,
  response: ServerResponse,
): void {
  parts.counters.tokenRequests += 1;
  if (method !== 'POST') {
    writeResponse(response, {
      status: 405,
      headers: { 'Content-Type': 'application/json' },
      body: { error: 'invalid_request', error_description: 'Use POST for the token endpoint.' },
    });
    return;
  }
  const failure = parts.faults.takeTokenFailure();
  if (failure !== undefined) {
    writeResponse(response, {
      status: failure,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
      body: {
        error: 'temporarily_unavailable',
        error_description: 'AADSTS90033: A transient error has occurred. Please try again.',
      },
    });
    return;
  }
  const result = parts.tokens.issue(tenant, new URLSearchParams(raw.toString('utf8')));
  writeResponse(response, {
    status: result.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: result.body,
  });
}

/** Replaces entity keys with `{id}` and drops the company segment, for the per-path counters. */
function normalizePath(rest: string): string {
  return rest.replace(/^companies\([^)]*\)\/?/, '').replace(/\([^)]*\)/g, '({id})') || 'companies';
}

function retryAfter(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new BcApiError(400, 'BadRequest', 'The request body is not valid JSON.');
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new BcApiError(
        413,
        'BadRequest',
        `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
      );
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function errorResponse(error: BcApiError): ApiResponse {
  return {
    status: error.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...error.headers },
    body: bcErrorBody(error.code, error.message),
  };
}

function sendError(response: ServerResponse, error: BcApiError): void {
  writeResponse(response, errorResponse(error));
}

function writeResponse(response: ServerResponse, apiResponse: ApiResponse): void {
  const text = apiResponse.body === undefined ? '' : JSON.stringify(apiResponse.body);
  response.writeHead(apiResponse.status, {
    ...apiResponse.headers,
    'request-id': randomUUID(),
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
