/**
 * Checks the Bicep deployment against what the code reads. `infra/build.mjs` compiles
 * infra/main.bicep to .artifacts/infra/main.json and evaluates that compiled template offline with
 * each infra/samples/*.bicepparam into a snapshot of the resources it would create. The build runs
 * here first when its outputs are missing or older than the Bicep sources.
 *
 * The rule for app settings, checked for every sample deployment:
 * - every setting the template sets is in `settingNames` or `hostSettingNames` (none unknown);
 * - every setting the schema requires is set;
 * - every setting in `azureSettings` below is set: identity-based connections, telemetry, and the
 *   names and modes the template itself decides;
 * - each auth mode gets exactly its own secrets, as Key Vault references, and no other secret;
 * - connection strings and settings that Flex Consumption rejects are not set;
 * - every literal value passes the schema's check for that setting.
 * Optional settings that have no Azure-specific value (timeouts, page size, retry delays...) may
 * be left out, so the app's default applies.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { hostSettingNames, settingNames, settingsSchema } from '../../shared/config/schema';
import { TableName } from '../../shared/state/tables';

const root = join(__dirname, '..', '..');
const artifacts = join(root, '.artifacts', 'infra');
const samples = readdirSync(join(root, 'infra', 'samples'))
  .filter((file) => file.endsWith('.bicepparam'))
  .map((file) => file.replace(/\.bicepparam$/, ''))
  .sort();

/** Settings every Azure deployment must set, whatever the parameters. */
const azureSettings = [
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'ServiceBusConnection__fullyQualifiedNamespace',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'DataStorage__tableServiceUri',
  'DataStorage__blobServiceUri',
  'AZURE_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'QUEUE_TO_JASCI',
  'QUEUE_TO_BC',
  'ARCHIVE_CONTAINER',
  'CONNECTOR_MODE',
  'BC_AUTH_MODE',
  'BC_CLIENT_ID',
  'BC_MAX_CONCURRENT_REQUESTS',
  'BC_MAX_REQUESTS_PER_5_MINUTES',
  'JASCI_AUTH_MODE',
  'SALES_ORDER_POLL_SCHEDULE',
  'ALERTS_ENABLED',
];

/** Settings that would mean a connection string or a setting Flex Consumption does not allow. */
const forbiddenSettings = [
  'ServiceBusConnection',
  'DataStorageConnection',
  'AzureWebJobsStorage',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
];

const secretSettings = [
  'BC_CLIENT_SECRET',
  'JASCI_API_KEY',
  'JASCI_PASSWORD',
  'JASCI_WEBHOOK_SIGNING_SECRET',
  'JASCI_WEBHOOK_SHARED_SECRET',
];

const identityClientId =
  /^\[reference\('[^']*\/userAssignedIdentities\/[^']*', '[^']*'\)\.clientId\]$/;
const keyVaultReference = /^@Microsoft\.KeyVault\(VaultName=[^;]+;SecretName=[a-z0-9-]+\)$/;

interface Resource {
  type: string;
  name: string;
  properties?: Record<string, unknown>;
}

interface Snapshot {
  predictedResources: Resource[];
  diagnostics: unknown[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function snapshot(sample: string): Snapshot {
  return readJson<Snapshot>(join(artifacts, 'samples', `${sample}.snapshot.json`));
}

function resourcesOfType(sample: string, type: string): Resource[] {
  return snapshot(sample).predictedResources.filter((resource) => resource.type === type);
}

function functionApp(sample: string): Resource {
  const sites = resourcesOfType(sample, 'Microsoft.Web/sites');
  expect(sites).toHaveLength(1);
  return sites[0]!;
}

function appSettings(sample: string): Map<string, string> {
  const siteConfig = functionApp(sample).properties?.siteConfig as {
    appSettings: { name: string; value: string }[];
  };
  return new Map(siteConfig.appSettings.map((setting) => [setting.name, setting.value]));
}

function schemaEntry(name: string): v.GenericSchema {
  return (settingsSchema.entries as unknown as Record<string, v.GenericSchema>)[name]!;
}

function schemaDefault(name: string): unknown {
  return v.getDefault(schemaEntry(name) as v.OptionalSchema<v.GenericSchema, string>);
}

/** Returns the last segment of a snapshot resource name such as `sb-x/to-jasci`. */
function leafName(resource: Resource): string {
  return resource.name.split('/').at(-1)!;
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'infra', 'build.mjs'), '--if-stale'], {
    cwd: root,
    stdio: 'pipe',
  });
}, 300_000);

test('samples exist', () => {
  expect(samples).toEqual(expect.arrayContaining(['client-secret', 'managed-identity']));
});

describe.each(samples)('sample %s', (sample) => {
  test('snapshot has no diagnostics', () => {
    expect(snapshot(sample).diagnostics).toEqual([]);
  });

  test('app settings are all known', () => {
    const known = new Set([...settingNames, ...hostSettingNames]);
    const unknown = [...appSettings(sample).keys()].filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  test('required settings are set', () => {
    const required = settingNames.filter((name) => schemaEntry(name).type !== 'optional');
    expect(required.length).toBeGreaterThan(0);
    const settings = appSettings(sample);
    expect(required.filter((name) => !settings.has(name))).toEqual([]);
  });

  test('Azure settings are set', () => {
    const settings = appSettings(sample);
    expect(azureSettings.filter((name) => !settings.has(name))).toEqual([]);
  });

  test('no connection strings or Flex-only settings', () => {
    const settings = appSettings(sample);
    expect(forbiddenSettings.filter((name) => settings.has(name))).toEqual([]);
    for (const [name, value] of settings) {
      expect({
        name,
        hasKey: /AccountKey=|SharedAccessKey=|InstrumentationKey=/.test(value),
      }).toEqual({
        name,
        hasKey: false,
      });
    }
  });

  test('literal values pass the schema', () => {
    for (const [name, value] of appSettings(sample)) {
      // Expressions resolve at deployment and Key Vault references when the app starts.
      if (value.startsWith('[') || value.startsWith('@Microsoft.KeyVault(')) continue;
      const entry = schemaEntry(name);
      if (entry === undefined) continue; // host settings have no schema entry
      const result = v.safeParse(entry, value);
      expect({ name, value, valid: result.success }).toEqual({ name, value, valid: true });
    }
  });

  test('secrets match the auth modes', () => {
    const settings = appSettings(sample);
    const expected = new Set<string>();
    if (settings.get('BC_AUTH_MODE') === 'clientSecret') expected.add('BC_CLIENT_SECRET');
    if (settings.get('JASCI_AUTH_MODE') === 'apiKey') expected.add('JASCI_API_KEY');
    if (settings.get('JASCI_AUTH_MODE') === 'oauth') expected.add('JASCI_PASSWORD');
    const webhookSecrets = secretSettings.filter((name) => name.startsWith('JASCI_WEBHOOK_'));
    expect(webhookSecrets.filter((name) => settings.has(name))).toHaveLength(1);

    const setSecrets = secretSettings.filter((name) => settings.has(name));
    const nonWebhookSecrets = setSecrets.filter((name) => !webhookSecrets.includes(name));
    expect(new Set(nonWebhookSecrets)).toEqual(expected);
    for (const name of setSecrets) {
      expect({ name, value: settings.get(name) }).toEqual({
        name,
        value: expect.stringMatching(keyVaultReference),
      });
    }
  });

  test('JASCI oauth settings only in oauth mode', () => {
    const settings = appSettings(sample);
    const oauthNames = ['JASCI_TENANT_ID', 'JASCI_COMPANY_ID', 'JASCI_USER_ID', 'JASCI_PASSWORD'];
    const present = oauthNames.filter((name) => settings.has(name));
    expect(present).toEqual(settings.get('JASCI_AUTH_MODE') === 'oauth' ? oauthNames : []);
  });

  test('connections use the managed identity', () => {
    const settings = appSettings(sample);
    expect(settings.get('AzureWebJobsStorage__credential')).toBe('managedidentity');
    expect(settings.get('ServiceBusConnection__credential')).toBe('managedidentity');
    for (const name of [
      'AzureWebJobsStorage__clientId',
      'ServiceBusConnection__clientId',
      'AZURE_CLIENT_ID',
    ]) {
      expect({ name, value: settings.get(name) }).toEqual({
        name,
        value: expect.stringMatching(identityClientId),
      });
    }
    expect(settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toMatch(
      /^\[format\('Authorization=AAD;ClientId=\{0\}', reference\('[^']*\/userAssignedIdentities\//,
    );
    expect(settings.get('ServiceBusConnection__fullyQualifiedNamespace')).toMatch(
      /^\[parseUri\(reference\('[^']*\/Microsoft\.ServiceBus\/namespaces\/[^']*'.*\)\.serviceBusEndpoint\)\.host\]$/,
    );
  });

  test('storage settings point at the right accounts', () => {
    const settings = appSettings(sample);
    const accounts = resourcesOfType(sample, 'Microsoft.Storage/storageAccounts').map(
      (account) => account.name,
    );
    const hostAccount = accounts.find((name) => name.startsWith('sthost'));
    const dataAccount = accounts.find((name) => name.startsWith('stdata'));
    expect(hostAccount).toBeDefined();
    expect(dataAccount).toBeDefined();
    expect(settings.get('AzureWebJobsStorage__blobServiceUri')).toContain(
      `/storageAccounts/${hostAccount}'`,
    );
    expect(settings.get('AzureWebJobsStorage__blobServiceUri')).toMatch(
      /\.primaryEndpoints\.blob\]$/,
    );
    expect(settings.get('DataStorage__tableServiceUri')).toContain(
      `/storageAccounts/${dataAccount}'`,
    );
    expect(settings.get('DataStorage__tableServiceUri')).toMatch(/\.primaryEndpoints\.table\]$/);
    expect(settings.get('DataStorage__blobServiceUri')).toContain(
      `/storageAccounts/${dataAccount}'`,
    );
    expect(settings.get('DataStorage__blobServiceUri')).toMatch(/\.primaryEndpoints\.blob\]$/);
  });

  test('storage accounts disallow shared keys', () => {
    const accounts = resourcesOfType(sample, 'Microsoft.Storage/storageAccounts');
    expect(accounts).toHaveLength(2);
    for (const account of accounts) {
      expect({
        name: account.name,
        allowSharedKeyAccess: account.properties?.allowSharedKeyAccess,
      }).toEqual({
        name: account.name,
        allowSharedKeyAccess: false,
      });
    }
  });

  test('queues match the app', () => {
    const settings = appSettings(sample);
    const queueNames = [schemaDefault('QUEUE_TO_JASCI'), schemaDefault('QUEUE_TO_BC')];
    expect(queueNames).toEqual(['to-jasci', 'to-bc']);
    expect([settings.get('QUEUE_TO_JASCI'), settings.get('QUEUE_TO_BC')]).toEqual(queueNames);

    const queues = resourcesOfType(sample, 'Microsoft.ServiceBus/namespaces/queues');
    expect(queues.map(leafName).sort()).toEqual([...queueNames].sort());
    for (const queue of queues) {
      expect({ queue: leafName(queue), ...queue.properties }).toMatchObject({
        queue: leafName(queue),
        lockDuration: 'PT2M',
        maxDeliveryCount: 5,
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: 'PT1H',
        deadLetteringOnMessageExpiration: true,
      });
    }
  });

  test('Service Bus disables SAS keys', () => {
    const namespaces = resourcesOfType(sample, 'Microsoft.ServiceBus/namespaces');
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0]!.properties?.disableLocalAuth).toBe(true);
  });

  test('tables and archive container match the app', () => {
    const tables = resourcesOfType(
      sample,
      'Microsoft.Storage/storageAccounts/tableServices/tables',
    );
    expect(tables.map(leafName).sort()).toEqual(Object.values(TableName).sort());

    const archive = String(schemaDefault('ARCHIVE_CONTAINER'));
    expect(archive).toBe('failed-messages');
    expect(appSettings(sample).get('ARCHIVE_CONTAINER')).toBe(archive);
    const containers = resourcesOfType(
      sample,
      'Microsoft.Storage/storageAccounts/blobServices/containers',
    ).map((container) => container.name);
    expect(containers).toContainEqual(
      expect.stringMatching(new RegExp(`^stdata\\w+/default/${archive}$`)),
    );

    const policies = resourcesOfType(
      sample,
      'Microsoft.Storage/storageAccounts/managementPolicies',
    );
    expect(JSON.stringify(policies)).toContain(`"prefixMatch":["${archive}/"]`);
  });

  test('BC limits hold across all instances', () => {
    const settings = appSettings(sample);
    const config = functionApp(sample).properties?.functionAppConfig as {
      runtime: { name: string; version: string };
      scaleAndConcurrency: { maximumInstanceCount: number };
    };
    expect(config.runtime).toEqual({ name: 'node', version: '22' });
    const instances = config.scaleAndConcurrency.maximumInstanceCount;
    const perInstanceRate = Number(settings.get('BC_MAX_REQUESTS_PER_5_MINUTES'));
    const perInstanceConcurrency = Number(settings.get('BC_MAX_CONCURRENT_REQUESTS'));
    // BC allows 6,000 requests per 5 minutes and 5 concurrent requests per app registration.
    expect(perInstanceRate * instances).toBeLessThanOrEqual(6000);
    expect(perInstanceConcurrency).toBe(Math.max(1, Math.floor(5 / instances)));
  });

  test('role assignments are narrow and named with guid()', () => {
    const assignments = resourcesOfType(sample, 'Microsoft.Authorization/roleAssignments');
    expect(assignments.length).toBeGreaterThan(0);
    const owner = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
    const contributor = 'b24988ac-6180-47ef-8f36-b0ea83fa1be3';
    for (const assignment of assignments) {
      // guid() stays an expression when it uses a runtime value such as the identity's id.
      expect(assignment.name).toMatch(/^(\[guid\(|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$)/);
      const role = String(assignment.properties?.roleDefinitionId);
      expect(role).not.toContain(owner);
      expect(role).not.toContain(contributor);
    }
  });

  test('deployer role follows principalId', () => {
    const officer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7';
    const deployerAssignments = resourcesOfType(
      sample,
      'Microsoft.Authorization/roleAssignments',
    ).filter((assignment) => String(assignment.properties?.roleDefinitionId).includes(officer));
    const deployer = /^principalId = '(.*)'$/m.exec(
      readFileSync(join(root, 'infra', 'samples', `${sample}.bicepparam`), 'utf8').replace(
        /^param /gm,
        '',
      ),
    )?.[1];
    expect(deployerAssignments).toHaveLength(deployer ? 1 : 0);
  });

  test('alerts watch failures, pollers and dead letters', () => {
    const rules = resourcesOfType(sample, 'Microsoft.Insights/scheduledQueryRules');
    const queries = rules.map((rule) => JSON.stringify(rule.properties));
    expect(queries.some((query) => query.includes('ConnectorFailure'))).toBe(true);
    expect(queries.some((query) => query.includes('Poll completed'))).toBe(true);
    const metricAlerts = resourcesOfType(sample, 'Microsoft.Insights/metricAlerts');
    expect(JSON.stringify(metricAlerts)).toContain('"metricName":"DeadletteredMessages"');
  });
});

describe('compiled template', () => {
  const template = () =>
    readJson<{
      parameters: Record<string, unknown>;
      definitions: { connectorSettings: { properties: Record<string, unknown> } };
    }>(join(artifacts, 'main.json'));

  test('azd parameters exist in the template', () => {
    const azdParameters = readJson<{ parameters: Record<string, { value: unknown }> }>(
      join(root, 'infra', 'main.parameters.json'),
    ).parameters;
    const declared = Object.keys(template().parameters);
    expect(Object.keys(azdParameters).filter((name) => !declared.includes(name))).toEqual([]);

    const connector = azdParameters.connector!.value as Record<string, unknown>;
    expect(Object.keys(connector).sort()).toEqual(
      Object.keys(template().definitions.connectorSettings.properties).sort(),
    );
  });
});
