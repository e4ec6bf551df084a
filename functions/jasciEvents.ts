import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { receiveJasciEvent } from '../shared/flows/shipments/intake';
import { loggerFrom } from '../shared/logging';
import { runtime } from '../shared/runtime';
import type { FunctionSpec } from './table';

/** HTTP endpoint for JASCI's webhook events: authenticates, validates and queues them. */
export async function jasciEventsHandler(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const rt = await runtime();
  const rawBody = Buffer.from(await request.arrayBuffer());
  const result = await receiveJasciEvent(
    { settings: rt.settings, toBc: rt.toBc, log: loggerFrom(context), now: () => new Date() },
    { method: request.method, headers: request.headers, rawBody },
  );
  return { status: result.status, jsonBody: result.body, headers: result.headers ?? {} };
}

export const jasciEvents: FunctionSpec = {
  name: 'jasciEvents',
  // JASCI authenticates with the event signature, so the route needs no function key. Every
  // method reaches the handler, which returns a JSON 405 with `Allow: POST` for every method but POST and `Allow: POST`.
  trigger: {
    type: 'http',
    route: 'jasci/events',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    authLevel: 'anonymous',
  },
  handler: jasciEventsHandler,
};
