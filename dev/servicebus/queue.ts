import { generate_uuid } from 'rhea';
import type { Message } from 'rhea';
import { Annotation } from './codec';
import { type DeadLetterInfo, MessageStore } from './messageStore';
import { type StoredMessage, scheduledTimeOf, withChanges } from './storedMessage';

export interface QueueSettings {
  name: string;
  maxDeliveryCount: number;
  lockDurationMs: number;
  duplicateDetectionWindowMs: number;
}

export type SubQueue = 'main' | 'deadLetter';

/** One queue: its main store, its dead-letter sub-queue, sequence numbers and duplicate detection. */
export class ServiceBusQueue {
  readonly main: MessageStore;
  readonly deadLetterQueue: MessageStore;
  private lastSequenceNumber = 0;
  /** Message ids seen within the duplicate detection window, mapped to when they leave it (ms). */
  private readonly recentMessageIds = new Map<string, number>();

  constructor(readonly settings: QueueSettings) {
    this.deadLetterQueue = new MessageStore({ lockDurationMs: settings.lockDurationMs });
    this.main = new MessageStore({
      lockDurationMs: settings.lockDurationMs,
      maxDeliveryCount: settings.maxDeliveryCount,
      deadLetter: (stored, info) => this.moveToDeadLetterQueue(stored, info),
    });
  }

  get name(): string {
    return this.settings.name;
  }

  store(subQueue: SubQueue): MessageStore {
    return subQueue === 'deadLetter' ? this.deadLetterQueue : this.main;
  }

  /**
   * Accepts a message sent by a client. A message whose `x-opt-scheduled-enqueue-time` is in the
   * future waits until then. A message whose id was already seen within the duplicate detection
   * window is dropped, but still gets a sequence number, which nothing refers to.
   */
  accept(
    message: Message,
    scheduledAt = scheduledTimeOf(message),
  ): { sequenceNumber: number; duplicate: boolean } {
    this.lastSequenceNumber += 1;
    const sequenceNumber = this.lastSequenceNumber;
    if (message.message_id === undefined || message.message_id === null) {
      // The SDK's lock renewal needs a message id on every received message.
      message.message_id = generate_uuid();
    } else if (this.isDuplicate(message.message_id)) {
      return { sequenceNumber, duplicate: true };
    }
    // NOTE: time-to-live is not enforced: an expired message is still delivered.
    const stored: StoredMessage = {
      sequenceNumber,
      message,
      enqueuedAt: new Date(),
      deliveryCount: 0,
    };
    if (scheduledAt && scheduledAt.getTime() > Date.now()) {
      this.main.schedule(stored, scheduledAt);
    } else {
      this.main.enqueue(stored);
    }
    return { sequenceNumber, duplicate: false };
  }

  depth(): { active: number; scheduled: number; deadLetter: number } {
    const main = this.main.counts();
    return {
      active: main.active,
      scheduled: main.scheduled,
      deadLetter: this.deadLetterQueue.counts().active,
    };
  }

  /** Open receiving links on the queue and its dead-letter sub-queue. */
  receiverCount(): number {
    return this.main.consumerCount + this.deadLetterQueue.consumerCount;
  }

  close(): void {
    this.main.close();
    this.deadLetterQueue.close();
  }

  private isDuplicate(messageId: unknown): boolean {
    const key = Buffer.isBuffer(messageId) ? messageId.toString('hex') : String(messageId);
    const now = Date.now();
    // Every entry gets the same window, so insertion order is also expiry order.
    for (const [id, expiresAt] of this.recentMessageIds) {
      if (expiresAt > now) {
        break;
      }
      this.recentMessageIds.delete(id);
    }
    if (this.recentMessageIds.has(key)) {
      return true;
    }
    this.recentMessageIds.set(key, now + this.settings.duplicateDetectionWindowMs);
    return false;
  }

  private moveToDeadLetterQueue(stored: StoredMessage, info: DeadLetterInfo): void {
    const reasonProperties: Record<string, unknown> = { ...info.applicationProperties };
    if (info.reason !== undefined) {
      reasonProperties.DeadLetterReason = info.reason;
    }
    if (info.description !== undefined) {
      reasonProperties.DeadLetterErrorDescription = info.description;
    }
    const message = withChanges(stored.message, {
      applicationProperties: reasonProperties,
      annotations: { [Annotation.deadLetterSource]: this.name },
    });
    this.deadLetterQueue.enqueue({ ...stored, message });
  }
}
