import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, type HttpHandler, type HttpResponseInit } from '@azure/functions';
import { createContext, type HostLogListener } from './context';

export interface HttpRoute {
  functionName: string;
  route: string;
  methods: readonly string[];
  handler: HttpHandler;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function headerRecord(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function writeResult(response: ServerResponse, result: HttpResponseInit): Promise<void> {
  const headers = new Headers(result.headers);
  let body: Buffer | undefined;
  if (result.jsonBody !== undefined) {
    body = Buffer.from(JSON.stringify(result.jsonBody));
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (typeof result.body === 'string') {
    body = Buffer.from(result.body);
  } else if (result.body instanceof Uint8Array) {
    body = Buffer.from(result.body);
  }
  headers.forEach((value, name) => response.setHeader(name, value));
  response.statusCode = result.status ?? 200;
  response.end(body);
}

/**
 * Serves the HTTP-triggered functions under `/api/<route>` on one port, the way the Functions host
 * does. A handler that throws gets a 500, as in Azure.
 */
export async function startHttpServer(
  routes: readonly HttpRoute[],
  listener: HostLogListener,
  port = 0,
): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const route = routes.find((r) => `/api/${r.route}` === url.pathname);
      if (!route) {
        response.statusCode = 404;
        response.end();
        return;
      }
      if (!route.methods.includes(request.method ?? '')) {
        response.statusCode = 405;
        response.end();
        return;
      }
      const bytes = await readBody(request);
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const httpRequest = new HttpRequest({
        method: request.method ?? 'GET',
        url: `http://127.0.0.1${url.pathname}${url.search}`,
        headers: headerRecord(request),
        body: hasBody ? { bytes } : undefined,
      });
      const context = createContext(route.functionName, listener);
      try {
        await writeResult(response, await route.handler(httpRequest, context));
      } catch (error) {
        context.error('Function failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        response.statusCode = 500;
        response.end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${address.port}` };
}
