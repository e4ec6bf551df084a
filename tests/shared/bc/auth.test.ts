import { ClientSecretCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import {
  clientCredentialsTokenProvider,
  credentialTokenProvider,
  isHttpLoopback,
  tokenProviderFromSettings,
} from '../../../shared/bc/auth';
import { loadSettings } from '../../../shared/config/load';
import { ConfigError, TransientError } from '../../../shared/errors';
import { HttpResponder, sendJson } from './httpResponder';

const server = new HttpResponder();

beforeAll(async () => {
  await server.start();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  server.reset();
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('clientCredentialsTokenProvider', () => {
  let issued = 0;

  beforeEach(() => {
    issued = 0;
    server.handler = (_request, response) => {
      issued += 1;
      sendJson(response, 200, {
        token_type: 'Bearer',
        access_token: `token-${issued}`,
        expires_in: 3600,
      });
    };
  });

  function provider(now: () => number = Date.now) {
    return clientCredentialsTokenProvider({
      tokenUrl: `${server.url}/tenant-1/oauth2/v2.0/token`,
      clientId: 'client-1',
      clientSecret: 'secret-1',
      scope: 'api://bc/.default',
      now,
    });
  }

  test('posts the client-credentials form', async () => {
    await expect(provider().getToken()).resolves.toBe('token-1');
    const request = server.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/tenant-1/oauth2/v2.0/token');
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_secret: 'secret-1',
      scope: 'api://bc/.default',
    });
  });

  test('caches the token until shortly before expiry', async () => {
    let now = 1_000_000;
    const tokens = provider(() => now);
    await expect(tokens.getToken()).resolves.toBe('token-1');
    now += 3600_000 - 5 * 60_000 - 1;
    await expect(tokens.getToken()).resolves.toBe('token-1');
    expect(server.requests).toHaveLength(1);
    now += 1;
    await expect(tokens.getToken()).resolves.toBe('token-2');
    expect(server.requests).toHaveLength(2);
  });

  test('forceRefresh gets a new token', async () => {
    const tokens = provider();
    await tokens.getToken();
    await expect(tokens.getToken({ forceRefresh: true })).resolves.toBe('token-2');
  });

  test('concurrent callers share one token request', async () => {
    const tokens = provider();
    const results = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    expect(results).toEqual(['token-1', 'token-1', 'token-1']);
    expect(server.requests).toHaveLength(1);
  });

  test('rejected credentials are a transient AUTH error without the secret', async () => {
    server.handler = (_request, response) =>
      sendJson(response, 401, { error: 'invalid_client', error_description: 'Bad secret' });
    const error = await caught(provider().getToken());
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('AUTH');
    expect((error as Error).message).toContain('invalid_client');
    expect((error as Error).message).not.toContain('secret-1');
  });

  test('response without access_token is a transient AUTH error', async () => {
    server.handler = (_request, response) => sendJson(response, 200, { token_type: 'Bearer' });
    const error = await caught(provider().getToken());
    expect((error as TransientError).code).toBe('AUTH');
  });
});

describe('credentialTokenProvider', () => {
  function fakeCredential(tokens: Array<AccessToken | null | Error>) {
    const scopes: Array<string | string[]> = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(scope);
        const next = tokens.shift();
        if (next instanceof Error) throw next;
        return next ?? null;
      },
    };
    return { credential, scopes };
  }

  test('caches the credential token until shortly before expiry', async () => {
    let now = 0;
    const { credential, scopes } = fakeCredential([
      { token: 'a', expiresOnTimestamp: 3600_000 },
      { token: 'b', expiresOnTimestamp: 7200_000 },
    ]);
    const tokens = credentialTokenProvider(credential, 'https://bc/.default', { now: () => now });
    await expect(tokens.getToken()).resolves.toBe('a');
    now = 3000_000;
    await expect(tokens.getToken()).resolves.toBe('a');
    now = 3300_000;
    await expect(tokens.getToken()).resolves.toBe('b');
    expect(scopes).toEqual(['https://bc/.default', 'https://bc/.default']);
  });

  test('credential failure is a transient AUTH error with cause', async () => {
    const failure = new Error('AADSTS7000215: Invalid client secret provided.');
    const { credential } = fakeCredential([failure]);
    const error = await caught(credentialTokenProvider(credential, 'scope').getToken());
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).code).toBe('AUTH');
    expect((error as Error).cause).toBe(failure);
  });

  test('null token is a transient AUTH error', async () => {
    const { credential } = fakeCredential([null]);
    const error = await caught(credentialTokenProvider(credential, 'scope').getToken());
    expect((error as TransientError).code).toBe('AUTH');
  });
});

describe('@azure/identity with an http authority', () => {
  test('ClientSecretCredential rejects a non-https authority', () => {
    expect(
      () =>
        new ClientSecretCredential('tenant-1', 'client-1', 'secret-1', {
          authorityHost: server.url,
          disableInstanceDiscovery: true,
        }),
    ).toThrow(/must use the 'https' protocol/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('tokenProviderFromSettings', () => {
  const baseEnv = {
    ServiceBusConnection: 'Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=v',
    DataStorageConnection: 'UseDevelopmentStorage=true',
    JASCI_BASE_URL: 'http://127.0.0.1:9',
    JASCI_API_KEY: 'jasci-key',
    JASCI_WEBHOOK_SHARED_SECRET: 'shared',
    BC_TENANT_ID: 'tenant-1',
    BC_ENVIRONMENT: 'Production',
    BC_COMPANY_ID: '5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
    BC_CLIENT_ID: 'client-1',
    BC_CLIENT_SECRET: 'secret-1',
  };

  test('http loopback authority uses the client-credentials POST', async () => {
    server.handler = (_request, response) =>
      sendJson(response, 200, { access_token: 'local-token', expires_in: 600 });
    const settings = loadSettings({ ...baseEnv, BC_AUTHORITY_HOST: `${server.url}/` });
    await expect(tokenProviderFromSettings(settings).getToken()).resolves.toBe('local-token');
    expect(server.requests[0]?.url).toBe('/tenant-1/oauth2/v2.0/token');
  });

  test('http authority on another host is rejected', () => {
    const settings = loadSettings({ ...baseEnv, BC_AUTHORITY_HOST: 'http://login.example.test' });
    expect(() => tokenProviderFromSettings(settings)).toThrow(ConfigError);
  });

  test('managedIdentity with a loopback authority is rejected', () => {
    const settings = loadSettings({
      ...baseEnv,
      BC_AUTH_MODE: 'managedIdentity',
      BC_AUTHORITY_HOST: server.url,
    });
    expect(() => tokenProviderFromSettings(settings)).toThrow(/managedIdentity/);
  });

  test('managedIdentity without BC_CLIENT_ID is rejected', () => {
    const settings = loadSettings({
      ...baseEnv,
      BC_AUTH_MODE: 'managedIdentity',
      BC_CLIENT_ID: undefined,
      BC_CLIENT_SECRET: undefined,
    });
    expect(() => tokenProviderFromSettings(settings)).toThrow(/BC_CLIENT_ID/);
  });

  test('https authority builds an identity provider without a request', () => {
    for (const mode of ['clientSecret', 'managedIdentity']) {
      const settings = loadSettings({ ...baseEnv, BC_AUTH_MODE: mode });
      expect(typeof tokenProviderFromSettings(settings).getToken).toBe('function');
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('isHttpLoopback', () => {
  test.each([
    ['http://127.0.0.1:8080', true],
    ['http://localhost:8080/', true],
    ['http://[::1]:8080', true],
    ['https://127.0.0.1:8080', false],
    ['http://10.0.0.5', false],
    ['https://login.microsoftonline.com', false],
  ])('%s → %s', (url, expected) => {
    expect(isHttpLoopback(url)).toBe(expected);
  });
});
