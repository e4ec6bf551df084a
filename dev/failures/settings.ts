import { existsSync } from 'node:fs';
import * as v from 'valibot';
import { settingsSchema } from '../../shared/config/schema';
import { ConfigError } from '../../shared/errors';
import { readJsonFile } from './args';

/** Settings of the data storage account, which contains the Failures table and the archive container. */
const storageSettingsSchema = v.pick(settingsSchema, [
  'DataStorageConnection',
  'DataStorage__tableServiceUri',
  'DataStorage__blobServiceUri',
  'ARCHIVE_CONTAINER',
  'AZURE_CLIENT_ID',
]);

/** Storage settings plus the Service Bus settings that a replay needs to send the message. */
const replaySettingsSchema = v.object({
  ...storageSettingsSchema.entries,
  ...v.pick(settingsSchema, [
    'ServiceBusConnection',
    'ServiceBusConnection__fullyQualifiedNamespace',
    'QUEUE_TO_JASCI',
    'QUEUE_TO_BC',
    'CLAIM_CHECK_THRESHOLD_BYTES',
  ]).entries,
});

export type StorageSettings = v.InferOutput<typeof storageSettingsSchema>;
export type ReplaySettings = v.InferOutput<typeof replaySettingsSchema>;

/**
 * Returns the app settings from the settings file (local.settings.json's `Values`, or a flat
 * object) over `env`. Without a file, ./local.settings.json is read when it exists.
 */
export function settingValuesFrom(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const path = file ?? (existsSync('local.settings.json') ? 'local.settings.json' : undefined);
  if (path === undefined) return { ...env };
  const content = readJsonFile(path, 'Settings file');
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new ConfigError([`Settings file ${path}: must be a JSON object`]);
  }
  const values = 'Values' in content ? content.Values : content;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError([`Settings file ${path}: Values must be a JSON object`]);
  }
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    // An empty value counts as unset, as in the app, so it does not hide the environment's.
    if (typeof value === 'string' && value.trim() === '') continue;
    if (typeof value === 'string') strings[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') strings[name] = String(value);
  }
  return { ...env, ...strings };
}

function parseWith<TSchema extends v.ObjectSchema<v.ObjectEntries, undefined>>(
  schema: TSchema,
  values: Readonly<Record<string, string | undefined>>,
): v.InferOutput<TSchema> {
  // Empty values count as unset, as the app's own settings loader treats them.
  const raw: Record<string, string> = {};
  for (const name of Object.keys(schema.entries)) {
    const value = values[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const result = v.safeParse(schema, raw);
  if (!result.success) {
    throw new ConfigError(
      result.issues.map((issue) => `${v.getDotPath(issue) ?? '(settings)'}: ${issue.message}`),
    );
  }
  return result.output;
}

function storageProblems(settings: StorageSettings): string[] {
  if (settings.DataStorageConnection !== undefined) return [];
  const missing = [
    settings.DataStorage__tableServiceUri === undefined ? 'DataStorage__tableServiceUri' : '',
    settings.DataStorage__blobServiceUri === undefined ? 'DataStorage__blobServiceUri' : '',
  ].filter((name) => name !== '');
  if (missing.length === 0) return [];
  return [
    `DataStorageConnection: missing, and so is ${missing.join(' and ')}; set a storage connection string, or both DataStorage__tableServiceUri and DataStorage__blobServiceUri to reach the account with your Azure identity`,
  ];
}

/** Reads the data storage settings that list, show, resolve and ignore need. */
export function loadStorageSettings(
  values: Readonly<Record<string, string | undefined>>,
): StorageSettings {
  const settings = parseWith(storageSettingsSchema, values);
  const problems = storageProblems(settings);
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** Reads the data storage and Service Bus settings that replay needs. */
export function loadReplaySettings(
  values: Readonly<Record<string, string | undefined>>,
): ReplaySettings {
  const settings = parseWith(replaySettingsSchema, values);
  const problems = storageProblems(settings);
  if (
    settings.ServiceBusConnection === undefined &&
    settings.ServiceBusConnection__fullyQualifiedNamespace === undefined
  ) {
    problems.push(
      'ServiceBusConnection: missing; set a Service Bus connection string, or ServiceBusConnection__fullyQualifiedNamespace (<namespace>.servicebus.windows.net) to send with your Azure identity',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
