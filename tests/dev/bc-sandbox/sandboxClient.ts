import { type BcSandbox, type BcSandboxOptions, startBcSandbox } from '../../../dev/bc-sandbox';

export const testIds = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  environment: 'Production',
  companyId: '5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
  clientId: 'connector-test-client',
  clientSecret: 'sandbox-test-secret',
};

export interface HttpResult {
  status: number;
  headers: Headers;
  // Response bodies are arbitrary JSON that each test inspects field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function startTestSandbox(
  overrides: Partial<BcSandboxOptions> = {},
): Promise<BcSandbox> {
  return startBcSandbox({ ...testIds, ...overrides });
}

export async function requestToken(
  sandbox: BcSandbox,
  form: Record<string, string> = {},
): Promise<HttpResult> {
  const response = await fetch(`${sandbox.authorityHost}/${testIds.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: testIds.clientId,
      client_secret: testIds.clientSecret,
      scope: 'https://api.businesscentral.dynamics.com/.default',
      ...form,
    }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export async function getToken(sandbox: BcSandbox): Promise<string> {
  const result = await requestToken(sandbox);
  if (result.status !== 200) throw new Error(`token request failed with ${result.status}`);
  return result.body.access_token as string;
}

/** Sends an API request; `path` is relative to the company URL unless it starts with http. */
export async function callApi(
  sandbox: BcSandbox,
  token: string | undefined,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpResult> {
  const url = path.startsWith('http') ? path : `${sandbox.companyUrl}/${path}`;
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}
