import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../../../shared/config/load';
import { hostSettingNames, settingNames } from '../../../shared/config/schema';
import { ConfigError } from '../../../shared/errors';

const minimal = {
  ServiceBusConnection:
    'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=a;SharedAccessKey=b;UseDevelopmentEmulator=true',
  DataStorageConnection: 'UseDevelopmentStorage=true',
  BC_TENANT_ID: 'tenant',
  BC_ENVIRONMENT: 'Production',
  BC_COMPANY_ID: 'company',
  BC_CLIENT_ID: 'client',
  BC_CLIENT_SECRET: 'secret-value',
  JASCI_BASE_URL: 'http://127.0.0.1:9999/JasciRestApi',
  JASCI_API_KEY: 'key-value',
  JASCI_WEBHOOK_SIGNING_SECRET: 'signing-value',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadSettings', () => {
  test('applies defaults to a minimal valid set', () => {
    const s = loadSettings(minimal);
    expect(s.QUEUE_TO_JASCI).toBe('to-jasci');
    expect(s.QUEUE_TO_BC).toBe('to-bc');
    expect(s.RETRY_DELAYS_SECONDS).toEqual([60, 300, 900]);
    expect(s.BC_MAX_CONCURRENT_REQUESTS).toBe(5);
    expect(s.BC_MAX_REQUESTS_PER_5_MINUTES).toBe(6000);
    expect(s.CONNECTOR_MODE).toBe('standard');
    expect(s.ALERTS_ENABLED).toBe(true);
  });

  test('names each missing required setting', () => {
    const problems = problemsOf({});
    expect(problems).toEqual(
      expect.arrayContaining([
        'BC_TENANT_ID: missing',
        'BC_ENVIRONMENT: missing',
        'BC_COMPANY_ID: missing',
        'JASCI_BASE_URL: missing',
      ]),
    );
  });

  test('names a malformed number, list, URL and schedule', () => {
    const problems = problemsOf({
      ...minimal,
      BC_PAGE_SIZE: 'lots',
      RETRY_DELAYS_SECONDS: '60;300',
      JASCI_BASE_URL: 'not a url',
      SALES_ORDER_POLL_SCHEDULE: '*/5 * * * *',
    });
    expect(problems).toContain('BC_PAGE_SIZE: must be a whole number');
    expect(problems.find((p) => p.startsWith('RETRY_DELAYS_SECONDS:'))).toMatch(/comma-separated/);
    expect(problems.find((p) => p.startsWith('JASCI_BASE_URL:'))).toMatch(/absolute URL/);
    expect(problems.find((p) => p.startsWith('SALES_ORDER_POLL_SCHEDULE:'))).toMatch(/six-field/);
  });

  test('requires a Service Bus connection of one kind', () => {
    const { ServiceBusConnection: _omitted, ...rest } = minimal;
    expect(problemsOf(rest).join('\n')).toMatch(/^ServiceBusConnection: missing/m);
    const identity = {
      ...rest,
      ServiceBusConnection__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
    };
    expect(problemsOf(identity)).toEqual([]);
  });

  test('requires the credentials of the chosen JASCI auth mode', () => {
    const problems = problemsOf({ ...minimal, JASCI_AUTH_MODE: 'oauth' });
    expect(problems).toEqual([
      'JASCI_TENANT_ID: missing; required when JASCI_AUTH_MODE is oauth',
      'JASCI_COMPANY_ID: missing; required when JASCI_AUTH_MODE is oauth',
      'JASCI_USER_ID: missing; required when JASCI_AUTH_MODE is oauth',
      'JASCI_PASSWORD: missing; required when JASCI_AUTH_MODE is oauth',
    ]);
  });

  test('rejects an unknown mode value', () => {
    expect(problemsOf({ ...minimal, CONNECTOR_MODE: 'custom' })).toEqual([
      'CONNECTOR_MODE: must be standard or extension',
    ]);
  });

  test('never echoes a secret value', () => {
    const error = (() => {
      try {
        loadSettings({ ...minimal, BC_CLIENT_SECRET: '', BC_PAGE_SIZE: 'secret-value' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).not.toContain('secret-value');
  });
});

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', '..', 'local.settings.sample.json'), 'utf8'),
  ) as { Values: Record<string, string> };
  const names = Object.keys(sample.Values);

  test('names every setting of the schema', () => {
    expect(settingNames.filter((name) => !names.includes(name))).toEqual([]);
  });

  test('names no setting the app or host does not read', () => {
    const known = new Set([...settingNames, ...hostSettingNames]);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });
});
