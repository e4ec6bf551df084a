/**
 * The smallest set of app settings that passes `loadSettings`, with every URL on 127.0.0.1 and
 * placeholder secrets. Tests spread it and override what they exercise.
 */
export const minimalEnv: Readonly<Record<string, string>> = {
  ServiceBusConnection:
    'Endpoint=sb://127.0.0.1:9;SharedAccessKeyName=test;SharedAccessKey=test;UseDevelopmentEmulator=true',
  DataStorageConnection: 'UseDevelopmentStorage=true',
  BC_API_BASE_URL: 'http://127.0.0.1:9/v2.0',
  BC_AUTHORITY_HOST: 'http://127.0.0.1:9',
  BC_TENANT_ID: 'test-tenant',
  BC_ENVIRONMENT: 'test',
  BC_COMPANY_ID: '00000000-0000-0000-0000-000000000001',
  BC_CLIENT_ID: 'test-client',
  BC_CLIENT_SECRET: 'test-secret',
  JASCI_BASE_URL: 'http://127.0.0.1:9',
  JASCI_API_KEY: 'test-key',
  JASCI_WEBHOOK_SIGNING_SECRET: 'test-signing-secret',
};
