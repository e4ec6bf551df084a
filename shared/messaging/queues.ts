import {
  ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusSender,
} from '@azure/service-bus';
import type { BlobStore } from '../archive/blobStore';
import type { Settings } from '../config/schema';
import { ConfigError } from '../errors';
import { azureCredentialFor } from '../state/credential';
import { applyClaimCheck } from './claimCheck';
import { messageIdFor, type Envelope } from './envelope';

type ServiceBusSettings = Pick<
  Settings,
  'ServiceBusConnection' | 'ServiceBusConnection__fullyQualifiedNamespace' | 'AZURE_CLIENT_ID'
>;

/**
 * Returns a Service Bus client: from ServiceBusConnection when set, otherwise for
 * ServiceBusConnection__fullyQualifiedNamespace with the managed identity.
 */
export function serviceBusClientFor(settings: ServiceBusSettings): ServiceBusClient {
  if (settings.ServiceBusConnection !== undefined) {
    return new ServiceBusClient(settings.ServiceBusConnection);
  }
  const namespace = settings.ServiceBusConnection__fullyQualifiedNamespace;
  if (namespace === undefined) {
    throw new ConfigError([
      'ServiceBusConnection: missing; set a connection string, or ServiceBusConnection__fullyQualifiedNamespace for a managed identity',
    ]);
  }
  return new ServiceBusClient(namespace, azureCredentialFor(settings));
}

/** Builds the Service Bus message for an envelope whose claim check is already applied. */
export function toServiceBusMessage(envelope: Envelope): ServiceBusMessage {
  return {
    // The SDK sends an object body as JSON text in an AMQP data section.
    body: envelope,
    contentType: 'application/json',
    messageId: messageIdFor(envelope),
    correlationId: envelope.correlationId,
    subject: envelope.kind,
    applicationProperties: {
      kind: envelope.kind,
      documentKey: envelope.documentKey,
      attempt: envelope.attempt,
    },
  };
}

/** Sends envelopes to one queue, moving payloads above the threshold to Blob Storage first. */
export class QueueSender {
  constructor(
    private readonly sender: ServiceBusSender,
    private readonly store: BlobStore,
    private readonly claimCheckThresholdBytes: number,
  ) {}

  /** Name of the queue this sender writes to. */
  get queueName(): string {
    return this.sender.entityPath;
  }

  async send(envelope: Envelope): Promise<void> {
    await this.sender.sendMessages(await this.prepare(envelope));
  }

  /** Sends the envelopes in as few batches as the queue's message size limit allows. */
  async sendBatch(envelopes: Envelope[]): Promise<void> {
    let batch: ServiceBusMessageBatch | undefined;
    for (const envelope of envelopes) {
      const message = await this.prepare(envelope);
      batch ??= await this.sender.createMessageBatch();
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0) throw tooLarge(message, batch.maxSizeInBytes);
      await this.sender.sendMessages(batch);
      batch = await this.sender.createMessageBatch();
      if (!batch.tryAddMessage(message)) throw tooLarge(message, batch.maxSizeInBytes);
    }
    if (batch !== undefined && batch.count > 0) await this.sender.sendMessages(batch);
  }

  /** Sends the envelope to become visible at `at`. */
  async schedule(envelope: Envelope, at: Date): Promise<void> {
    await this.sender.scheduleMessages(await this.prepare(envelope), at);
  }

  private async prepare(envelope: Envelope): Promise<ServiceBusMessage> {
    const checked = await applyClaimCheck(envelope, this.store, this.claimCheckThresholdBytes);
    return toServiceBusMessage(checked);
  }
}

function tooLarge(message: ServiceBusMessage, maxSizeInBytes: number): Error {
  return new Error(
    `Message ${String(message.messageId)} does not fit in an empty batch of ${maxSizeInBytes} bytes; lower CLAIM_CHECK_THRESHOLD_BYTES`,
  );
}
