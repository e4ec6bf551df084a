import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { Settings } from '../config/schema';
import { BusinessError, ConfigError } from '../errors';
import { azureCredentialFor } from '../state/credential';
import { classifyStorageError, statusOf } from '../state/tableErrors';

type ArchiveSettings = Pick<
  Settings,
  'DataStorageConnection' | 'DataStorage__blobServiceUri' | 'ARCHIVE_CONTAINER' | 'AZURE_CLIENT_ID'
>;

/**
 * Returns the client of the archive container (failed messages and claim-check payloads): from
 * DataStorageConnection when set, otherwise from DataStorage__blobServiceUri with the managed identity.
 */
export function containerClientFor(settings: ArchiveSettings): ContainerClient {
  const connectionString = settings.DataStorageConnection;
  let service: BlobServiceClient;
  if (connectionString !== undefined) {
    service = BlobServiceClient.fromConnectionString(connectionString);
  } else if (settings.DataStorage__blobServiceUri !== undefined) {
    service = new BlobServiceClient(
      settings.DataStorage__blobServiceUri,
      azureCredentialFor(settings),
    );
  } else {
    throw new ConfigError([
      'DataStorageConnection: missing; set a connection string, or DataStorage__blobServiceUri for a managed identity',
    ]);
  }
  return service.getContainerClient(settings.ARCHIVE_CONTAINER);
}

/** JSON documents in one blob container, which is created on first write. */
export class BlobStore {
  private containerReady: Promise<void> | undefined;

  constructor(private readonly container: ContainerClient) {}

  /** Writes `value` as JSON under `name`, replacing any blob of that name, and returns the name. */
  async putJson(name: string, value: unknown): Promise<string> {
    const body = JSON.stringify(value);
    await this.ensureContainer();
    try {
      await this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    } catch (error) {
      throw classifyStorageError(error, `write blob ${name}`);
    }
    return name;
  }

  /**
   * Reads and parses the JSON blob `name`. A missing blob raises BusinessError INVALID_PAYLOAD,
   * because no retry can bring it back.
   */
  async getJson<T = unknown>(name: string): Promise<T> {
    let content: Buffer;
    try {
      content = await this.container.getBlockBlobClient(name).downloadToBuffer();
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new BusinessError(
          'INVALID_PAYLOAD',
          `Blob ${name} not found in container ${this.container.containerName}; it was deleted or never written`,
          { cause: error, details: { blobName: name } },
        );
      }
      throw classifyStorageError(error, `read blob ${name}`);
    }
    try {
      return JSON.parse(content.toString('utf8')) as T;
    } catch (error) {
      throw new BusinessError('INVALID_PAYLOAD', `Blob ${name} does not contain valid JSON`, {
        cause: error,
        details: { blobName: name },
      });
    }
  }

  private ensureContainer(): Promise<void> {
    this.containerReady ??= this.container.createIfNotExists().then(
      () => undefined,
      (error: unknown) => {
        this.containerReady = undefined;
        throw classifyStorageError(error, `create container ${this.container.containerName}`);
      },
    );
    return this.containerReady;
  }
}
