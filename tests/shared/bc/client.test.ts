import type { ServerResponse } from 'node:http';
import { BcClient, buildQueryString, type TokenProvider } from '../../../shared/bc/client';
import { BcClientDefectError } from '../../../shared/bc/errors';
import { BcLimiter } from '../../../shared/bc/limiter';
import { RELEASED_FILTER } from '../../../shared/bc/status';
import { edmDateTime, filterAnd, filterCompare } from '../../../shared/bc/values';
import { loadSettings } from '../../../shared/config/load';
import { BusinessError, TransientError } from '../../../shared/errors';
import type { Logger } from '../../../shared/logging';
import { HttpResponder, sendJson, type RecordedRequest } from './httpResponder';

const COMPANY_PATH =
  '/v2.0/tenant-1/Production/api/v2.0/companies(5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b)';
const LINE_PATH =
  'salesOrders(c1a0e5d2-6b7f-4c8e-9d0a-1b2c3d4e5f07)/salesOrderLines(00010000-0000-4000-8000-000000010007)';
const LINE_ETAG = 'W/"JzE5OzczNjE4MjkzNTE0MDI2NzQ4MTsxOzA7Jw=="';

/** Hands out token-1, then token-2 after a forced refresh, and counts both kinds of call. */
class CountingTokenProvider implements TokenProvider {
  calls = 0;
  refreshes = 0;
  private current = 1;
  async getToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    this.calls += 1;
    if (options.forceRefresh) {
      this.refreshes += 1;
      this.current += 1;
    }
    return `token-${this.current}`;
  }
}

interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(entries: LogEntry[]): Logger {
  return {
    info: (message, fields) => entries.push({ level: 'info', message, fields }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields }),
    error: (message, fields) => entries.push({ level: 'error', message, fields }),
  };
}

function bcError(response: ServerResponse, status: number, code: string, message: string) {
  sendJson(response, status, { error: { code, message } });
}

/** Path of a recorded request relative to the company URL, with its decoded query. */
function relative(request: RecordedRequest): { path: string; query: URLSearchParams } {
  const url = new URL(request.url, 'http://127.0.0.1');
  return { path: url.pathname.slice(COMPANY_PATH.length + 1), query: url.searchParams };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

const server = new HttpResponder();
const pendingTimers = new Set<NodeJS.Timeout>();
let tokens: CountingTokenProvider;
let logEntries: LogEntry[];

function newClient(overrides: { pageSize?: number; timeoutMs?: number; limiter?: BcLimiter } = {}) {
  return new BcClient({
    companyUrl: `${server.url}${COMPANY_PATH}`,
    tokenProvider: tokens,
    limiter:
      overrides.limiter ??
      new BcLimiter({ maxConcurrent: 5, maxPerWindow: 6000, windowMs: 300_000 }),
    pageSize: overrides.pageSize ?? 1000,
    timeoutMs: overrides.timeoutMs ?? 5000,
    log: recordingLogger(logEntries),
  });
}

beforeAll(async () => {
  await server.start();
});

afterAll(async () => {
  for (const timer of pendingTimers) clearTimeout(timer);
  await server.stop();
});

beforeEach(() => {
  server.reset();
  tokens = new CountingTokenProvider();
  logEntries = [];
});

describe('BcClient.listPages', () => {
  const orders = [1, 2, 3, 4, 5].map((n) => ({
    '@odata.etag': `W/"etag-${n}"`,
    id: `c1a0e5d2-6b7f-4c8e-9d0a-00000000000${n}`,
    number: `SO-10432${n}`,
    status: 'Open',
  }));

  /** Serves salesOrders like BC: page size from the Prefer header, $skiptoken in nextLink. */
  function serveOrders(request: RecordedRequest, response: ServerResponse) {
    const { query } = relative(request);
    const prefer = /odata\.maxpagesize=(\d+)/.exec(String(request.headers.prefer ?? ''));
    const pageSize = prefer ? Number(prefer[1]) : 20_000;
    const skipToken = query.get('$skiptoken');
    const start = skipToken === null ? 0 : orders.findIndex((o) => o.id === skipToken) + 1;
    const value = orders.slice(start, start + pageSize);
    const body: Record<string, unknown> = { value };
    const last = value[value.length - 1];
    if (last !== undefined && start + pageSize < orders.length) {
      const next = new URL(`${server.url}${COMPANY_PATH}/salesOrders`);
      next.search = `$filter=${encodeURIComponent(query.get('$filter') ?? '')}&$skiptoken=${last.id}`;
      body['@odata.nextLink'] = next.href;
    }
    sendJson(response, 200, body);
  }

  test('follows nextLink across three pages with Prefer, never $top', async () => {
    server.handler = serveOrders;
    const client = newClient({ pageSize: 2 });
    const filter = filterAnd(
      RELEASED_FILTER,
      filterCompare('lastModifiedDateTime', 'gt', edmDateTime('2026-12-01T10:00:00Z')),
    );

    const pages: string[][] = [];
    for await (const page of client.listPages<{ number: string }>('salesOrders', { filter })) {
      pages.push(page.map((order) => order.number));
    }

    expect(pages).toEqual([['SO-104321', 'SO-104322'], ['SO-104323', 'SO-104324'], ['SO-104325']]);
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.method).toBe('GET');
      expect(request.headers.prefer).toBe('odata.maxpagesize=2');
      expect(request.headers.authorization).toBe('Bearer token-1');
      expect(request.url).not.toMatch(/\$top/i);
      expect(relative(request).path).toBe('salesOrders');
      expect(relative(request).query.get('$filter')).toBe(
        "status eq 'Open' and lastModifiedDateTime gt 2026-12-01T10:00:00Z",
      );
    }
    expect(client.requestCount).toBe(3);
  });

  test('sends every query option percent-encoded', async () => {
    server.handler = (_request, response) => sendJson(response, 200, { value: [] });
    const client = newClient();
    const query = {
      filter: "number eq 'A&B #1+2'",
      expand: 'salesOrderLines($select=sequence,quantity)',
      select: 'id,number',
      orderby: 'number desc',
    };
    for await (const page of client.listPages('salesOrders', query)) expect(page).toEqual([]);

    const request = server.requests[0];
    expect(request).toBeDefined();
    const { query: received } = relative(request!);
    expect(received.get('$filter')).toBe(query.filter);
    expect(received.get('$expand')).toBe(query.expand);
    expect(received.get('$select')).toBe(query.select);
    expect(received.get('$orderby')).toBe(query.orderby);
    expect(request!.url).not.toContain('+');
  });

  test('rejects a nextLink on another origin before sending', async () => {
    server.handler = (_request, response) =>
      sendJson(response, 200, { value: [], '@odata.nextLink': 'http://localhost:1/salesOrders' });
    const client = newClient();
    const iterate = async () => {
      for await (const page of client.listPages('salesOrders')) void page;
    };
    await expect(iterate()).rejects.toThrow(/another origin/);
    expect(server.requests).toHaveLength(1);
  });

  test('rejects a page without a value array', async () => {
    server.handler = (_request, response) => sendJson(response, 200, { id: 'x' });
    const iterate = async () => {
      for await (const page of newClient().listPages('salesOrders')) void page;
    };
    await expect(iterate()).rejects.toThrow(/no 'value' array/);
  });
});

describe('BcClient get, patch and post', () => {
  test('get returns the record with @odata.etag', async () => {
    server.handler = (_request, response) =>
      sendJson(
        response,
        200,
        { '@odata.etag': LINE_ETAG, id: 'line-1', shipQuantity: 4 },
        { ETag: LINE_ETAG },
      );
    const line = await newClient().get<Record<string, unknown>>(LINE_PATH);
    expect(line['@odata.etag']).toBe(LINE_ETAG);
    expect(line.shipQuantity).toBe(4);
    expect(relative(server.requests[0]!).path).toBe(LINE_PATH);
  });

  test('get adds the ETag header when the body has no @odata.etag', async () => {
    server.handler = (_request, response) =>
      sendJson(response, 200, { id: 'line-1' }, { ETag: LINE_ETAG });
    const line = await newClient().get<Record<string, unknown>>(LINE_PATH);
    expect(line['@odata.etag']).toBe(LINE_ETAG);
  });

  test('patch sends If-Match unchanged and no etag in the body', async () => {
    server.handler = (request, response) => {
      if (request.headers['if-match'] !== LINE_ETAG) {
        bcError(
          response,
          400,
          'BadRequest_InvalidToken',
          'Could not validate the client concurrency token.',
        );
        return;
      }
      sendJson(response, 200, { '@odata.etag': 'W/"new"', shipQuantity: 3 });
    };
    const client = newClient();
    const updated = await client.patch<{ shipQuantity: number }>(
      LINE_PATH,
      { '@odata.etag': LINE_ETAG, shipQuantity: 3 },
      LINE_ETAG,
    );

    expect(updated.shipQuantity).toBe(3);
    const request = server.requests[0]!;
    expect(request.method).toBe('PATCH');
    expect(request.headers['if-match']).toBe(LINE_ETAG);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request.body)).toEqual({ shipQuantity: 3 });
    expect(request.body).not.toContain('etag');
  });

  test('patch without an ETag is a client defect and sends nothing', async () => {
    const error = await caught(newClient().patch(LINE_PATH, { shipQuantity: 3 }, ''));
    expect(error).toBeInstanceOf(BcClientDefectError);
    expect(server.requests).toHaveLength(0);
  });

  test('post of a bound action returns undefined on 204', async () => {
    server.handler = (_request, response) => {
      response.writeHead(204).end();
    };
    const path = 'salesOrders(c1a0e5d2-6b7f-4c8e-9d0a-1b2c3d4e5f07)/Microsoft.NAV.shipAndInvoice';
    const result = await newClient().post(path);
    expect(result).toBeUndefined();
    const request = server.requests[0]!;
    expect(request.method).toBe('POST');
    expect(relative(request).path).toBe(path);
    expect(request.body).toBe('');
  });

  test('post with a body returns the created entity', async () => {
    server.handler = (request, response) =>
      sendJson(response, 201, { id: 'new', ...JSON.parse(request.body) });
    const created = await newClient().post<{ id: string; number: string }>('salesOrders', {
      number: 'SO-1',
    });
    expect(created).toEqual({ id: 'new', number: 'SO-1' });
  });

  test('rejects a path with a query string', async () => {
    await expect(newClient().get('salesOrders?$top=1')).rejects.toThrow(/query separately/);
  });
});

describe('BcClient token handling', () => {
  test('401 refreshes the token once and retries', async () => {
    server.handler = (request, response) => {
      if (request.headers.authorization !== 'Bearer token-2') {
        bcError(response, 401, 'Authentication_InvalidCredentials', 'The token is expired.');
        return;
      }
      sendJson(response, 200, { id: 'ok' });
    };
    const client = newClient();
    await expect(client.get('companyInformation')).resolves.toEqual({ id: 'ok' });
    expect(tokens.refreshes).toBe(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
    expect(client.requestCount).toBe(2);
  });

  test('second 401 is a transient AUTH error', async () => {
    server.handler = (_request, response) =>
      bcError(response, 401, 'Authentication_InvalidCredentials', 'The credentials are invalid.');
    const error = await caught(newClient().get('companyInformation'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('AUTH');
    expect(tokens.refreshes).toBe(1);
    expect(server.requests).toHaveLength(2);
  });
});

describe('BcClient error classification', () => {
  test('429 with Retry-After seconds gives retryAfterMs', async () => {
    server.handler = (_request, response) =>
      sendJson(
        response,
        429,
        { error: { code: 'TooManyRequests', message: 'Slow down' } },
        {
          'Retry-After': '7',
        },
      );
    const error = await caught(newClient().get('items'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('THROTTLED');
    expect((error as TransientError).retryAfterMs).toBe(7000);
  });

  test('503 with Retry-After date is transient', async () => {
    const retryAt = new Date(Date.now() + 120_000).toUTCString();
    server.handler = (_request, response) =>
      sendJson(response, 503, {}, { 'Retry-After': retryAt });
    const error = await caught(newClient().get('items'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('UNAVAILABLE');
    const retryAfterMs = (error as TransientError).retryAfterMs ?? -1;
    expect(retryAfterMs).toBeGreaterThan(60_000);
    expect(retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  test('400 with BC error body is a business error with details', async () => {
    server.handler = (_request, response) =>
      bcError(
        response,
        400,
        'Application_FieldValidationException',
        'Status must be equal to Open.',
      );
    const error = await caught(newClient().get('salesOrders(abc)', { filter: "number eq 'SO-1'" }));
    expect(error).toBeInstanceOf(BusinessError);
    const business = error as BusinessError;
    expect(business.code).toBe('BC_REJECTED');
    expect(business.details).toEqual({
      status: 400,
      method: 'GET',
      path: 'salesOrders(abc)',
      bcCode: 'Application_FieldValidationException',
      bcMessage: 'Status must be equal to Open.',
    });
  });

  test('412 is a transient CONFLICT', async () => {
    server.handler = (_request, response) =>
      bcError(
        response,
        412,
        'Request_EntityChanged',
        'Another user has already changed the record.',
      );
    const error = await caught(newClient().patch(LINE_PATH, { shipQuantity: 3 }, 'W/"stale"'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('CONFLICT');
  });

  test('BadRequest_InvalidToken is a BcClientDefectError', async () => {
    server.handler = (_request, response) =>
      bcError(
        response,
        400,
        'BadRequest_InvalidToken',
        'Could not validate the client concurrency token.',
      );
    const error = await caught(newClient().patch(LINE_PATH, { shipQuantity: 3 }, LINE_ETAG));
    expect(error).toBeInstanceOf(BcClientDefectError);
    expect((error as Error).message).toMatch(/defect in the connector/);
  });

  test('slow response is a transient TIMEOUT', async () => {
    server.handler = (_request, response) => {
      const timer = setTimeout(() => sendJson(response, 200, { id: 'late' }), 3000);
      pendingTimers.add(timer);
      response.on('close', () => clearTimeout(timer));
    };
    const error = await caught(newClient({ timeoutMs: 200 }).get('items'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('TIMEOUT');
  });

  test('stalled body is a transient TIMEOUT', async () => {
    server.handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"value":[');
    };
    const error = await caught(newClient({ timeoutMs: 200 }).get('items'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('TIMEOUT');
  });

  test('refused connection is a transient NETWORK error', async () => {
    const closed = new HttpResponder();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const client = new BcClient({
      companyUrl: `${url}${COMPANY_PATH}`,
      tokenProvider: tokens,
      limiter: new BcLimiter({ maxConcurrent: 1, maxPerWindow: 10, windowMs: 1000 }),
      pageSize: 10,
      timeoutMs: 2000,
    });
    const error = await caught(client.get('items'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('NETWORK');
  });

  test('failed request is logged without query string or token', async () => {
    server.handler = (_request, response) =>
      bcError(response, 400, 'Internal_RecordNotFound', 'Customer C-1 does not exist.');
    await caught(newClient().get('customers', { filter: "number eq 'C-1'" }));
    const failures = logEntries.filter((entry) => entry.message === 'BC request failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.fields).toEqual({
      method: 'GET',
      path: 'customers',
      status: 400,
      bcCode: 'Internal_RecordNotFound',
    });
    expect(JSON.stringify(logEntries)).not.toContain('token-1');
  });
});

describe('BcClient limiter', () => {
  test('keeps at most 5 requests in flight for 12 calls', async () => {
    const heldResponses: ServerResponse[] = [];
    let open = 0;
    let maxOpen = 0;
    server.handler = (request, response) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      response.on('close', () => {
        open -= 1;
      });
      heldResponses.push(response);
      void request;
    };
    const limiter = new BcLimiter({ maxConcurrent: 5, maxPerWindow: 6000, windowMs: 300_000 });
    const client = newClient({ limiter });
    const calls = Array.from({ length: 12 }, (_, i) => client.get<{ n: number }>(`items(${i})`));

    const waitForHeld = async (count: number) => {
      while (heldResponses.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    let released = 0;
    while (released < 12) {
      await waitForHeld(Math.min(released + 5, 12));
      expect(limiter.inFlight).toBeLessThanOrEqual(5);
      const next = heldResponses[released];
      released += 1;
      sendJson(next!, 200, { n: released });
    }

    const results = await Promise.all(calls);
    expect(results).toHaveLength(12);
    expect(maxOpen).toBeLessThanOrEqual(5);
    expect(maxOpen).toBeGreaterThan(1);
    expect(server.requests).toHaveLength(12);
    expect(client.requestCount).toBe(12);
  });
});

describe('BcClient.fromSettings', () => {
  test('gets a token from the client-credentials endpoint and uses it', async () => {
    server.handler = (request, response) => {
      if (request.url === '/tenant-1/oauth2/v2.0/token') {
        sendJson(response, 200, {
          token_type: 'Bearer',
          access_token: 'issued-token',
          expires_in: 3599,
        });
        return;
      }
      sendJson(response, 200, { value: [{ id: 'company' }] });
    };
    const settings = loadSettings({
      ServiceBusConnection: 'Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=v',
      DataStorageConnection: 'UseDevelopmentStorage=true',
      JASCI_BASE_URL: 'http://127.0.0.1:9',
      JASCI_API_KEY: 'jasci-key',
      JASCI_WEBHOOK_SHARED_SECRET: 'shared',
      BC_API_BASE_URL: `${server.url}/v2.0`,
      BC_AUTHORITY_HOST: server.url,
      BC_TENANT_ID: 'tenant-1',
      BC_ENVIRONMENT: 'Production',
      BC_COMPANY_ID: '5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
      BC_CLIENT_ID: 'client-1',
      BC_CLIENT_SECRET: 'secret-1',
      BC_SCOPE: 'api://bc-sandbox/.default',
      BC_PAGE_SIZE: '3',
    });
    const client = BcClient.fromSettings(settings);
    const pages = [];
    for await (const page of client.listPages('items')) pages.push(page);

    expect(pages).toEqual([[{ id: 'company' }]]);
    const [tokenRequest, listRequest] = server.requests;
    expect(tokenRequest?.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: 'secret-1',
      scope: 'api://bc-sandbox/.default',
    });
    expect(listRequest?.url).toBe(`${COMPANY_PATH}/items`);
    expect(listRequest?.headers.authorization).toBe('Bearer issued-token');
    expect(listRequest?.headers.prefer).toBe('odata.maxpagesize=3');
  });
});

describe('buildQueryString', () => {
  test('writes $ options and skips empty ones', () => {
    expect(buildQueryString({ filter: "a eq 'x y'", select: '' })).toBe("$filter=a%20eq%20'x%20y'");
    expect(buildQueryString()).toBe('');
  });
});
