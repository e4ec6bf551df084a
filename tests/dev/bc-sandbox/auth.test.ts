import type { BcSandbox } from '../../../dev/bc-sandbox';
import { callApi, getToken, requestToken, startTestSandbox, testIds } from './sandboxClient';

describe('BC sandbox token endpoint and bearer check', () => {
  let sandbox: BcSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  test('client credentials grant returns a bearer token', async () => {
    const result = await requestToken(sandbox);
    expect(result.status).toBe(200);
    expect(result.body.token_type).toBe('Bearer');
    expect(typeof result.body.access_token).toBe('string');
    expect(result.body.expires_in).toBeGreaterThan(0);
  });

  test('token works on the API', async () => {
    const token = await getToken(sandbox);
    const result = await callApi(sandbox, token, 'GET', 'salesOrders');
    expect(result.status).toBe(200);
    expect(result.body.value).toEqual([]);
  });

  test('wrong secret is rejected with invalid_client', async () => {
    const result = await requestToken(sandbox, { client_secret: 'wrong' });
    expect(result.status).toBe(401);
    expect(result.body.error).toBe('invalid_client');
  });

  test('wrong client id is rejected', async () => {
    const result = await requestToken(sandbox, { client_id: 'someone-else' });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('unauthorized_client');
  });

  test('wrong scope is rejected with invalid_scope', async () => {
    const result = await requestToken(sandbox, { scope: 'https://graph.microsoft.com/.default' });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_scope');
  });

  test('unknown tenant in the token URL is rejected', async () => {
    const response = await fetch(`${sandbox.authorityHost}/other-tenant/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(response.status).toBe(400);
  });

  test('API call without token gets 401 with BC error body', async () => {
    const result = await callApi(sandbox, undefined, 'GET', 'salesOrders');
    expect(result.status).toBe(401);
    expect(result.body.error.code).toBe('Authentication_InvalidCredentials');
    expect(result.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  test('unknown token gets 401', async () => {
    const result = await callApi(sandbox, 'made-up-token', 'GET', 'salesOrders');
    expect(result.status).toBe(401);
  });

  test('revoked tokens get 401 and a new token works', async () => {
    const token = await getToken(sandbox);
    sandbox.revokeTokens();
    expect((await callApi(sandbox, token, 'GET', 'items')).status).toBe(401);
    const fresh = await getToken(sandbox);
    expect((await callApi(sandbox, fresh, 'GET', 'items')).status).toBe(200);
  });

  test('expired tokens get 401', async () => {
    const shortLived = await startTestSandbox({ tokenLifetimeSeconds: 0 });
    try {
      const token = await getToken(shortLived);
      expect((await callApi(shortLived, token, 'GET', 'items')).status).toBe(401);
    } finally {
      await shortLived.stop();
    }
  });

  test('token faults return 503, then recover', async () => {
    sandbox.faults.failNextTokenRequests(2, 503);
    expect((await requestToken(sandbox)).status).toBe(503);
    const second = await requestToken(sandbox);
    expect(second.status).toBe(503);
    expect(second.body.error).toBe('temporarily_unavailable');
    expect((await requestToken(sandbox)).status).toBe(200);
  });

  test('unknown tenant, environment and company get 404 BadRequest_NotFound', async () => {
    const token = await getToken(sandbox);
    const root = `${sandbox.apiBaseUrl}/${testIds.tenantId}`;
    const wrongEnvironment = await callApi(
      sandbox,
      token,
      'GET',
      `${root}/Sandbox/api/v2.0/companies(${testIds.companyId})/items`,
    );
    expect(wrongEnvironment.status).toBe(404);
    expect(wrongEnvironment.body.error.code).toBe('BadRequest_NotFound');
    const wrongCompany = await callApi(
      sandbox,
      token,
      'GET',
      `${root}/Production/api/v2.0/companies(00000000-0000-0000-0000-000000000001)/items`,
    );
    expect(wrongCompany.status).toBe(404);
    expect(wrongCompany.body.error.code).toBe('BadRequest_NotFound');
    const wrongPath = await callApi(sandbox, token, 'GET', 'purchaseWidgets');
    expect(wrongPath.status).toBe(404);
    expect(wrongPath.body.error.code).toBe('BadRequest_NotFound');
    expect(wrongPath.body.error.message).toMatch(/CorrelationId: {2}[0-9a-f-]+\.$/);
  });

  test('companies lists the sandbox company', async () => {
    const token = await getToken(sandbox);
    const result = await callApi(
      sandbox,
      token,
      'GET',
      `${sandbox.apiBaseUrl}/${testIds.tenantId}/${testIds.environment}/api/v2.0/companies`,
    );
    expect(result.status).toBe(200);
    expect(result.body.value.map((company: { id: string }) => company.id)).toEqual([
      testIds.companyId,
    ]);
  });
});
