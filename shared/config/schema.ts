import * as v from 'valibot';

/**
 * Every application setting the connector reads, with its default. The Bicep template sets
 * exactly these names (a test compares them), so add a setting here and in `infra/` together.
 */

const text = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));
const optionalText = v.optional(v.pipe(v.string(), v.trim()));
const url = v.pipe(
  v.string(),
  v.trim(),
  v.url('must be an absolute URL such as https://host/path'),
);
const positiveInt = (fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, 'must be a whole number'),
      v.transform(Number),
      v.minValue(1, 'must be at least 1'),
    ),
    String(fallback),
  );
const secondsList = (fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^\s*\d+(\s*,\s*\d+)*\s*$/,
        'must be a comma-separated list of seconds, e.g. 60,300,900',
      ),
      v.transform((s) => s.split(',').map((part) => Number(part.trim()))),
    ),
    fallback,
  );
const flag = (fallback: boolean) =>
  v.optional(
    v.pipe(
      v.picklist(['true', 'false'], 'must be true or false'),
      v.transform((s) => s === 'true'),
    ),
    fallback ? 'true' : 'false',
  );
/** Six-field NCRONTAB as the Functions timer trigger uses: second minute hour day month weekday. */
const ncrontab = (fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\S+( \S+){5}$/, 'must be a six-field NCRONTAB expression, e.g. 0 */2 * * * *'),
    ),
    fallback,
  );

export const settingsSchema = v.object({
  /** `standard` uses BC API v2.0 only; `extension` uses the companion extension's API as well. */
  CONNECTOR_MODE: v.optional(
    v.picklist(['standard', 'extension'], 'must be standard or extension'),
    'standard',
  ),

  // Service Bus: a connection string locally, the namespace host name with a managed identity in Azure.
  ServiceBusConnection: optionalText,
  ServiceBusConnection__fullyQualifiedNamespace: optionalText,
  QUEUE_TO_JASCI: v.optional(text, 'to-jasci'),
  QUEUE_TO_BC: v.optional(text, 'to-bc'),

  // Data storage (tables and the archive container): a connection string locally, endpoints in Azure.
  DataStorageConnection: optionalText,
  DataStorage__tableServiceUri: v.optional(url),
  DataStorage__blobServiceUri: v.optional(url),
  ARCHIVE_CONTAINER: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
        'must be a valid blob container name (3-63 lowercase letters, digits and hyphens)',
      ),
    ),
    'failed-messages',
  ),
  /** Client id of the user-assigned managed identity; read by @azure/identity in Azure. */
  AZURE_CLIENT_ID: optionalText,

  // Business Central.
  BC_API_BASE_URL: v.optional(url, 'https://api.businesscentral.dynamics.com/v2.0'),
  BC_TENANT_ID: text,
  BC_ENVIRONMENT: text,
  BC_COMPANY_ID: text,
  BC_AUTHORITY_HOST: v.optional(url, 'https://login.microsoftonline.com'),
  BC_SCOPE: v.optional(text, 'https://api.businesscentral.dynamics.com/.default'),
  /** `clientSecret` uses BC_CLIENT_ID and BC_CLIENT_SECRET; `managedIdentity` uses a federated credential. */
  BC_AUTH_MODE: v.optional(
    v.picklist(['clientSecret', 'managedIdentity'], 'must be clientSecret or managedIdentity'),
    'clientSecret',
  ),
  BC_CLIENT_ID: optionalText,
  BC_CLIENT_SECRET: optionalText,
  BC_MAX_CONCURRENT_REQUESTS: positiveInt(5),
  BC_MAX_REQUESTS_PER_5_MINUTES: positiveInt(6000),
  /** Orders per BC page; 500 keeps a page of 20-line orders near 6 MB of JSON. */
  BC_PAGE_SIZE: positiveInt(500),
  BC_REQUEST_TIMEOUT_SECONDS: positiveInt(60),

  // JASCI.
  JASCI_BASE_URL: url,
  JASCI_AUTH_MODE: v.optional(v.picklist(['apiKey', 'oauth'], 'must be apiKey or oauth'), 'apiKey'),
  JASCI_API_KEY: optionalText,
  JASCI_TENANT_ID: optionalText,
  JASCI_COMPANY_ID: optionalText,
  JASCI_USER_ID: optionalText,
  JASCI_PASSWORD: optionalText,
  JASCI_REQUEST_TIMEOUT_SECONDS: positiveInt(30),
  /** HMAC-SHA256 key for `X-Jasci-Signature`; without it the shared secret header is checked. */
  JASCI_WEBHOOK_SIGNING_SECRET: optionalText,
  JASCI_WEBHOOK_SHARED_SECRET: optionalText,
  JASCI_WEBHOOK_TOLERANCE_SECONDS: positiveInt(300),
  JASCI_WEBHOOK_MAX_BODY_BYTES: positiveInt(1048576),

  /** JASCI warehouse for BC lines with a blank location (the zero GUID); unset makes them a business error. */
  DEFAULT_WAREHOUSE_CODE: optionalText,

  // Schedules and retries.
  SALES_ORDER_POLL_SCHEDULE: ncrontab('0 */2 * * * *'),
  /** Delays before attempts 2, 3, ...; the message is exhausted after the last one. */
  RETRY_DELAYS_SECONDS: secondsList('60,300,900'),
  /** Payloads larger than this go to Blob Storage and the message carries the blob name. */
  CLAIM_CHECK_THRESHOLD_BYTES: positiveInt(196608),

  // Alerts.
  ALERT_MAIL_FROM: optionalText,
  ALERT_MAIL_TO: optionalText,
  ALERTS_ENABLED: flag(true),
});

export type Settings = v.InferOutput<typeof settingsSchema>;

/** Names of every setting in the schema, for the infrastructure cross-check and the sample file. */
export const settingNames: readonly string[] = Object.keys(settingsSchema.entries);

/**
 * Settings the Functions host reads itself; the app does not. The Bicep template sets them too.
 */
export const hostSettingNames: readonly string[] = [
  'AzureWebJobsStorage',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'ServiceBusConnection__credential',
  'ServiceBusConnection__clientId',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
];
