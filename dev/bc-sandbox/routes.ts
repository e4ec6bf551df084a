import type { BcRecord } from './entities';
import { BcApiError, badRequest, notFound } from './errors';
import { type EntitySetDef, entitySet } from './entitySets';
import { parseQueryOptions, parseQueryString, selectPage, serializeRow } from './odata/query';
import {
  type DefaultQuantityToShip,
  type PostingResult,
  patchSalesOrderLine,
  shipAndInvoice,
} from './salesPosting';
import type { BcStore, Row } from './store';

/** A request below the API root (`…/api/v2.0/`), independent of the HTTP transport. */
export interface ApiRequest {
  method: string;
  /** Path below the API root, without the query, e.g. `companies(…)/salesOrders`. */
  path: string;
  /** The raw query string without '?', still URL-encoded. */
  rawQuery: string;
  header(name: string): string | undefined;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface ApiContext {
  store: BcStore;
  /** Absolute URL of the API root, used in `@odata.context` and `@odata.nextLink`. */
  apiRoot: string;
  company: { id: string; name: string };
  maxPageSize: number;
  defaultQuantityToShip: DefaultQuantityToShip;
  /** Called after a successful posting; a returned error is sent instead of 204. */
  afterShipAndInvoice(result: PostingResult): BcApiError | undefined;
}

interface Segment {
  name: string;
  key?: string;
}

const noResource = (): BcApiError =>
  notFound('No HTTP resource was found that matches the request URI.');

function parseSegment(text: string): Segment {
  const match = /^([A-Za-z][\w.]*)(?:\((.*)\))?$/.exec(decodeURIComponent(text));
  if (!match) throw noResource();
  const key = match[2]?.replace(/^id=/, '').replace(/^'(.*)'$/, '$1');
  return { name: match[1] as string, key };
}

/** Routes a request below the API root to the company, its entity sets and the posting action. */
export function handleApiRequest(ctx: ApiContext, request: ApiRequest): ApiResponse {
  const segments = request.path
    .split('/')
    .filter((part) => part.length > 0)
    .map(parseSegment);
  const [company, ...rest] = segments;
  if (!company || company.name !== 'companies') throw noResource();
  if (company.key === undefined) return companiesResponse(ctx, request, true);
  if (company.key.toLowerCase() !== ctx.company.id.toLowerCase()) {
    throw notFound(
      `The company with id '${company.key}' does not exist or you do not have access to it.`,
    );
  }
  if (rest.length === 0) return companiesResponse(ctx, request, false);
  return handleCompanyPath(ctx, request, rest);
}

function companiesResponse(ctx: ApiContext, request: ApiRequest, collection: boolean): ApiResponse {
  if (request.method !== 'GET') throw methodNotAllowed(request.method, 'companies');
  const company = {
    id: ctx.company.id,
    systemVersion: '27.0.38460.41020',
    name: ctx.company.name,
    displayName: ctx.company.name,
    businessProfileId: '',
  };
  const context = `${ctx.apiRoot}/$metadata#companies`;
  const body = collection
    ? { '@odata.context': context, value: [company] }
    : { '@odata.context': `${context}/$entity`, ...company };
  return json(200, body);
}

function handleCompanyPath(ctx: ApiContext, request: ApiRequest, segments: Segment[]): ApiResponse {
  const [first, second, ...more] = segments as [Segment, Segment | undefined, ...Segment[]];
  const def = entitySet(first.name);
  if (!def || more.length > 0) throw noResource();
  if (first.key === undefined) {
    if (second) throw noResource();
    if (request.method !== 'GET') throw methodNotAllowed(request.method, def.name);
    if (def.needsDocumentId) requireDocumentFilter(request);
    return collectionResponse(ctx, request, def, ctx.store.rows(def.name), def.name);
  }
  const row = requireRow(ctx.store, def, first.key);
  if (!second) return entityResponse(ctx, request, def, row);
  if (second.name.startsWith('Microsoft.NAV.'))
    return actionResponse(ctx, request, def, row, second.name);

  const navigation = def.navigations[second.name];
  if (!navigation) throw noResource();
  const target = entitySet(navigation.target) as EntitySetDef;
  const related = navigation.resolve(ctx.store, row);
  const path = `${def.name}(${String(row.fields.id)})/${second.name}`;
  if (second.key === undefined) {
    if (request.method !== 'GET') throw methodNotAllowed(request.method, second.name);
    if (navigation.many) return collectionResponse(ctx, request, target, related, path);
    const only = related[0];
    if (!only) throw notFound(`The ${target.caption} does not exist.`);
    return entityResponse(ctx, request, target, only);
  }
  const child = related.find(
    (candidate) => String(candidate.fields.id).toLowerCase() === second.key?.toLowerCase(),
  );
  if (!child) throw doesNotExist(target, second.key);
  return entityResponse(ctx, request, target, child);
}

function requireRow(store: BcStore, def: EntitySetDef, key: string): Row {
  const row = store.row(def.name, key);
  if (!row) throw doesNotExist(def, key);
  return row;
}

function doesNotExist(def: EntitySetDef, key: string): BcApiError {
  return notFound(
    `The ${def.caption} does not exist. Identification fields and values: Id='${key}'`,
  );
}

function methodNotAllowed(method: string, set: string): BcApiError {
  // NOTE: creating and deleting records through the API is not implemented; seed through the store.
  return new BcApiError(
    405,
    'BadRequest_MethodNotAllowed',
    `'${method}' requests for '${set}' are not allowed by the Business Central sandbox.`,
  );
}

function requireDocumentFilter(request: ApiRequest): void {
  const filter = parseQueryString(request.rawQuery).get('$filter');
  if (!filter || !/\b(documentId|id)\s+eq\b/.test(filter)) {
    throw badRequest(
      'Application_DialogException',
      'You must specify an Id or a Document Id to get the lines.',
    );
  }
}

function preferredPageSize(ctx: ApiContext, request: ApiRequest): number | undefined {
  const prefer = request.header('prefer');
  const match = prefer ? /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer) : null;
  if (!match) return undefined;
  return Math.max(1, Math.min(Number(match[1]), ctx.maxPageSize));
}

function collectionResponse(
  ctx: ApiContext,
  request: ApiRequest,
  def: EntitySetDef,
  rows: Row[],
  path: string,
): ApiResponse {
  const params = parseQueryString(request.rawQuery);
  const options = parseQueryOptions(params, def);
  const preferred = preferredPageSize(ctx, request);
  const page = selectPage(def, rows, options, preferred ?? ctx.maxPageSize);
  const companyPath = `companies(${ctx.company.id})/${path}`;
  const body: BcRecord = {
    '@odata.context': `${ctx.apiRoot}/$metadata#companies(${ctx.company.id})/${def.name}`,
  };
  if (options.count) body['@odata.count'] = page.total;
  body.value = page.rows.map((row) => serializeRow(ctx.store, row, options));
  if (page.skiptoken !== undefined) {
    const keptParameters = request.rawQuery
      .split('&')
      .filter((part) => part && !/^(\$|%24)skiptoken=/i.test(part));
    keptParameters.push(`$skiptoken=${page.skiptoken}`);
    body['@odata.nextLink'] = `${ctx.apiRoot}/${companyPath}?${keptParameters.join('&')}`;
  }
  const response = json(200, body);
  if (preferred !== undefined)
    response.headers['Preference-Applied'] = `odata.maxpagesize=${preferred}`;
  return response;
}

function entityResponse(
  ctx: ApiContext,
  request: ApiRequest,
  def: EntitySetDef,
  row: Row,
): ApiResponse {
  let current = row;
  if (request.method === 'PATCH') {
    if (def.name !== 'salesOrderLines') throw methodNotAllowed('PATCH', def.name);
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
      throw badRequest(
        'BadRequest',
        'The request body must be a JSON object with the properties to change.',
      );
    }
    current = patchSalesOrderLine(
      ctx.store,
      row,
      request.body as BcRecord,
      request.header('if-match'),
    );
  } else if (request.method !== 'GET') {
    throw methodNotAllowed(request.method, def.name);
  }
  const params = parseQueryString(request.rawQuery);
  const options = parseQueryOptions(
    new Map([...params].filter(([name]) => name === '$select' || name === '$expand')),
    def,
  );
  const body = {
    '@odata.context': `${ctx.apiRoot}/$metadata#companies(${ctx.company.id})/${def.name}/$entity`,
    ...serializeRow(ctx.store, current, options),
  };
  const response = json(200, body);
  response.headers.ETag = current.etag;
  return response;
}

function actionResponse(
  ctx: ApiContext,
  request: ApiRequest,
  def: EntitySetDef,
  row: Row,
  action: string,
): ApiResponse {
  if (def.name !== 'salesOrders' || action !== 'Microsoft.NAV.shipAndInvoice') {
    throw badRequest(
      'BadRequest_MethodNotImplemented',
      `The action '${action}' is not available on '${def.name}'.`,
    );
  }
  if (request.method !== 'POST') throw methodNotAllowed(request.method, action);
  const result = shipAndInvoice(ctx.store, String(row.fields.id), ctx.defaultQuantityToShip);
  const error = ctx.afterShipAndInvoice(result);
  if (error) throw error;
  return { status: 204, headers: {} };
}

function json(status: number, body: unknown): ApiResponse {
  return {
    status,
    headers: {
      'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true',
      'OData-Version': '4.0',
    },
    body,
  };
}
