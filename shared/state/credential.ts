import {
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { Settings } from '../config/schema';

let cached: { clientId: string | undefined; credential: TokenCredential } | undefined;

/**
 * Returns the credential for Azure resources reached by endpoint instead of a connection string.
 * With AZURE_CLIENT_ID set it is that user-assigned managed identity and nothing else; without it,
 * DefaultAzureCredential tries its usual chain (environment, managed identity, developer tools).
 * One credential is shared per process so its token cache is shared too.
 */
export function azureCredentialFor(settings: Pick<Settings, 'AZURE_CLIENT_ID'>): TokenCredential {
  const clientId = settings.AZURE_CLIENT_ID;
  if (cached !== undefined && cached.clientId === clientId) return cached.credential;
  const credential =
    clientId === undefined
      ? new DefaultAzureCredential()
      : new ManagedIdentityCredential({ clientId });
  cached = { clientId, credential };
  return credential;
}

/** Splits a storage or Service Bus connection string into its `Key=Value` parts. */
export function parseConnectionString(connectionString: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    parts.set(part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim());
  }
  return parts;
}
