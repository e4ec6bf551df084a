import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import * as v from 'valibot';
import {
  describeIssues,
  jasciCancelRequestSchema,
  jasciOutboundOrderSchema,
} from '../../shared/jasci/wire';
import type { SandboxAuth } from './auth';
import type { FaultInjector } from './faults';
import { RequestBodyTooLarge, readBody, sendError, sendErrors, sendJson } from './http';
import type { OrderStore, SandboxOrder } from './orders';
import type { Warehouse } from './warehouse';

/** Every route lives below this path, like JASCI's `https://uat-api.jasci.net/JasciRestApi`. */
export const BASE_PATH = '/JasciRestApi';

export interface RouteContext {
  auth: SandboxAuth;
  faults: FaultInjector;
  orders: OrderStore;
  warehouse: Warehouse;
  stats: { requests: number; byRoute: Record<string, number> };
  closing: AbortSignal;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: unknown) => void;

/** Splits the path below BASE_PATH into decoded segments, so `%2F` stays inside one segment. */
function segmentsOf(url: string): string[] | undefined {
  const path = new URL(url, 'http://sandbox').pathname;
  if (!path.startsWith(`${BASE_PATH}/`)) return undefined;
  return path
    .slice(BASE_PATH.length + 1)
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => decodeURIComponent(segment));
}

/** The order as the API returns it: the received fields plus `status`, without warehouse progress. */
function orderData(order: SandboxOrder): Record<string, unknown> {
  const data: Record<string, unknown> = { ...order };
  delete data.shippedQuantities;
  delete data.shipmentNumbers;
  return data;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export function createRequestListener(context: RouteContext) {
  const { auth, faults, orders, warehouse } = context;

  const authenticate: Handler = (_request, response, body) => {
    const issued = auth.authenticate(body);
    if (!issued) {
      sendError(
        response,
        401,
        'INVALID_CREDENTIALS',
        'The tenantId, companyId, userId or password is wrong.',
      );
      return;
    }
    sendJson(response, 200, { status: 'SUCCESS', data: issued });
  };

  const upsertOrder =
    (orderNumber: string): Handler =>
    (_request, response, body) => {
      const parsed = v.safeParse(jasciOutboundOrderSchema, body);
      if (!parsed.success) {
        const errors = describeIssues(parsed.issues).map((message) => ({
          code: 'INVALID_FIELD',
          message,
        }));
        sendErrors(response, 400, errors);
        return;
      }
      if (parsed.output.orderNumber !== orderNumber) {
        sendError(
          response,
          400,
          'INVALID_FIELD',
          `orderNumber: ${parsed.output.orderNumber} in the body differs from ${orderNumber} in the URL`,
        );
        return;
      }
      const result = orders.upsert(parsed.output);
      if (result.outcome === 'conflict') {
        sendError(response, 409, result.code, result.message);
        return;
      }
      if (result.outcome === 'created') warehouse.orderCreated(orderNumber);
      sendJson(response, result.outcome === 'created' ? 201 : 200, {
        status: result.outcome === 'created' ? 'CREATED' : 'UPDATED',
        data: orderData(result.order),
      });
    };

  const getOrder =
    (orderNumber: string): Handler =>
    (_request, response) => {
      const order = orders.get(orderNumber);
      if (!order) {
        sendError(response, 404, 'ORDER_NOT_FOUND', `Order ${orderNumber} does not exist.`);
        return;
      }
      sendJson(response, 200, { data: orderData(order) });
    };

  const cancelOrder =
    (orderNumber: string): Handler =>
    (_request, response, body) => {
      const parsed = v.safeParse(jasciCancelRequestSchema, body ?? {});
      if (!parsed.success) {
        const errors = describeIssues(parsed.issues).map((message) => ({
          code: 'INVALID_FIELD',
          message,
        }));
        sendErrors(response, 400, errors);
        return;
      }
      const result = orders.cancel(orderNumber);
      if (result.outcome !== 'cancelled') {
        sendError(response, result.outcome === 'notFound' ? 404 : 409, result.code, result.message);
        return;
      }
      sendJson(response, 200, {
        status: 'CANCELLED',
        data: { orderNumber, status: result.order.status },
      });
    };

  /** Finds the route; `undefined` means 404, a string means the method is not allowed. */
  function route(
    method: string,
    segments: string[],
  ): { key: string; handler: Handler } | string | undefined {
    const [first, second, orderNumber, action, ...extra] = segments;
    if (first === 'authenticate' && segments.length === 1) {
      return method === 'POST' ? { key: 'POST /authenticate', handler: authenticate } : 'POST';
    }
    if (first !== 'V1' || second !== 'outbound-orders' || !orderNumber || extra.length > 0) {
      return undefined;
    }
    if (action === 'cancel') {
      return method === 'POST'
        ? {
            key: 'POST /V1/outbound-orders/{orderNumber}/cancel',
            handler: cancelOrder(orderNumber),
          }
        : 'POST';
    }
    if (action !== undefined) return undefined;
    if (method === 'PUT')
      return { key: 'PUT /V1/outbound-orders/{orderNumber}', handler: upsertOrder(orderNumber) };
    if (method === 'GET')
      return { key: 'GET /V1/outbound-orders/{orderNumber}', handler: getOrder(orderNumber) };
    return 'GET, PUT';
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    context.stats.requests += 1;
    const segments = segmentsOf(request.url ?? '/');
    const found = segments && route(request.method ?? 'GET', segments);
    if (found === undefined) {
      sendError(response, 404, 'NOT_FOUND', `No route for ${request.method} ${request.url}.`);
      return;
    }
    if (typeof found === 'string') {
      sendError(response, 405, 'METHOD_NOT_ALLOWED', `Use ${found} on this path.`, {
        Allow: found,
      });
      return;
    }
    context.stats.byRoute[found.key] = (context.stats.byRoute[found.key] ?? 0) + 1;

    if (found.key !== 'POST /authenticate') {
      const delayMs = faults.takeDelay();
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: context.closing });
      const failure = faults.takeFailure();
      if (failure) {
        const headers: Record<string, string> =
          failure.retryAfterSeconds === undefined
            ? {}
            : { 'Retry-After': String(failure.retryAfterSeconds) };
        sendError(response, failure.status, failure.code, failure.message, headers);
        return;
      }
      const authorised = auth.check(request.headers);
      if (!authorised.ok) {
        sendError(response, 401, 'UNAUTHORIZED', authorised.message);
        return;
      }
    }

    const text = await readBody(request);
    const body = parseJson(text);
    if (!body.ok) {
      sendError(response, 400, 'INVALID_JSON', 'The request body is not valid JSON.');
      return;
    }
    found.handler(request, response, body.value);
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || context.closing.aborted) {
        response.destroy();
        return;
      }
      if (error instanceof RequestBodyTooLarge) {
        sendError(response, 413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MiB.');
        return;
      }
      sendError(
        response,
        500,
        'INTERNAL_ERROR',
        error instanceof Error ? error.message : String(error),
      );
    });
  };
}
