import * as v from 'valibot';
import { ConfigError } from '../errors';
import { settingsSchema, type Settings } from './schema';

/**
 * Cross-setting rules that one field's schema cannot express. Each returns a problem or nothing.
 */
function checkCombinations(s: Settings): string[] {
  const problems: string[] = [];
  if (!s.ServiceBusConnection && !s.ServiceBusConnection__fullyQualifiedNamespace) {
    problems.push(
      'ServiceBusConnection: missing; set a connection string, or ServiceBusConnection__fullyQualifiedNamespace for a managed identity',
    );
  }
  if (
    !s.DataStorageConnection &&
    !(s.DataStorage__tableServiceUri && s.DataStorage__blobServiceUri)
  ) {
    problems.push(
      'DataStorageConnection: missing; set a connection string, or both DataStorage__tableServiceUri and DataStorage__blobServiceUri',
    );
  }
  if (s.BC_AUTH_MODE === 'clientSecret') {
    if (!s.BC_CLIENT_ID)
      problems.push('BC_CLIENT_ID: missing; required when BC_AUTH_MODE is clientSecret');
    if (!s.BC_CLIENT_SECRET) {
      problems.push('BC_CLIENT_SECRET: missing; required when BC_AUTH_MODE is clientSecret');
    }
  }
  if (s.JASCI_AUTH_MODE === 'apiKey' && !s.JASCI_API_KEY) {
    problems.push('JASCI_API_KEY: missing; required when JASCI_AUTH_MODE is apiKey');
  }
  if (s.JASCI_AUTH_MODE === 'oauth') {
    for (const name of [
      'JASCI_TENANT_ID',
      'JASCI_COMPANY_ID',
      'JASCI_USER_ID',
      'JASCI_PASSWORD',
    ] as const) {
      if (!s[name]) problems.push(`${name}: missing; required when JASCI_AUTH_MODE is oauth`);
    }
  }
  if (!s.JASCI_WEBHOOK_SIGNING_SECRET && !s.JASCI_WEBHOOK_SHARED_SECRET) {
    problems.push(
      'JASCI_WEBHOOK_SIGNING_SECRET: missing; set it (or JASCI_WEBHOOK_SHARED_SECRET) so incoming JASCI events can be authenticated',
    );
  }
  return problems;
}

/**
 * Parses and checks every setting from `env`. Throws a ConfigError that lists each missing or
 * malformed setting with what it expects; secrets are never echoed.
 */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(settingsSchema.entries)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const result = v.safeParse(settingsSchema, raw);
  if (!result.success) {
    const problems = result.issues.map((issue) => {
      const name = issue.path?.map((p) => String(p.key)).join('.') ?? '(settings)';
      const reason = issue.received === 'undefined' ? 'missing' : issue.message;
      return `${name}: ${reason}`;
    });
    throw new ConfigError(problems);
  }
  const problems = checkCombinations(result.output);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.output;
}

let cached: Settings | undefined;

/** Returns the settings of this process, read from `process.env` on first use. */
export function settings(): Settings {
  cached ??= loadSettings();
  return cached;
}

/** Forgets the cached settings; the local host and tests call this after changing the environment. */
export function resetSettings(): void {
  cached = undefined;
}
