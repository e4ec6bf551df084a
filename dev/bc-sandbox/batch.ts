import { BcApiError, bcErrorBody } from './errors';
import { type ApiContext, type ApiResponse, handleApiRequest } from './routes';

/** Max operations in one `$batch` request, as in BC online. */
export const MAX_BATCH_OPERATIONS = 100;

interface BatchItem {
  id?: string | null;
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Runs a JSON `$batch` request: each inner request goes through the same routes as a single call.
 * With `Isolation: snapshot`, a failed inner request rolls back the changes of the whole batch.
 */
export function handleBatch(
  ctx: ApiContext,
  body: unknown,
  isolation: string | undefined,
): ApiResponse {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) {
    throw new BcApiError(
      400,
      'BadRequest',
      "The $batch body must be a JSON object with a 'requests' array.",
    );
  }
  if (requests.length > MAX_BATCH_OPERATIONS) {
    throw new BcApiError(
      400,
      'BadRequest',
      `The batch contains ${requests.length} operations; at most ${MAX_BATCH_OPERATIONS} are allowed. Split it into smaller batches.`,
    );
  }
  const restore = isolation?.toLowerCase() === 'snapshot' ? ctx.store.checkpoint() : undefined;
  const responses = (requests as BatchItem[]).map((item) => runItem(ctx, item));
  if (restore && responses.some((response) => response.status >= 400)) restore();
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'OData-Version': '4.0' },
    body: { responses },
  };
}

function runItem(ctx: ApiContext, item: BatchItem) {
  const headers = new Map(
    Object.entries(item.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  try {
    const { path, rawQuery } = innerTarget(ctx, String(item.url ?? ''), headers.get('company'));
    const response = handleApiRequest(ctx, {
      method: String(item.method ?? 'GET').toUpperCase(),
      path,
      rawQuery,
      header: (name) => headers.get(name.toLowerCase()),
      body: item.body,
    });
    return {
      id: item.id ?? null,
      status: response.status,
      headers: lowerCase(response.headers),
      body: response.body,
    };
  } catch (error) {
    if (!(error instanceof BcApiError)) throw error;
    return {
      id: item.id ?? null,
      status: error.status,
      headers: { 'content-type': 'application/json', ...lowerCase(error.headers) },
      body: bcErrorBody(error.code, error.message),
    };
  }
}

/** Resolves an inner URL: absolute, relative to the API root, or relative to the company. */
function innerTarget(
  ctx: ApiContext,
  url: string,
  company: string | undefined,
): { path: string; rawQuery: string } {
  let relative = url;
  const marker = '/api/v2.0/';
  if (relative.includes(marker))
    relative = relative.slice(relative.indexOf(marker) + marker.length);
  relative = relative.replace(/^\/+/, '');
  if (!relative.startsWith('companies')) {
    const id = ctx.company.id.toLowerCase();
    if (company === undefined || (company.toLowerCase() !== id && company !== ctx.company.name)) {
      throw new BcApiError(
        400,
        'Internal_CompanyNotFound',
        `The inner request '${url}' names no company. Start its URL with companies(${ctx.company.id}) or send a Company header.`,
      );
    }
    relative = `companies(${ctx.company.id})/${relative}`;
  }
  const index = relative.indexOf('?');
  return index < 0
    ? { path: relative, rawQuery: '' }
    : { path: relative.slice(0, index), rawQuery: relative.slice(index + 1) };
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}
