import { generate_uuid } from 'rhea';
import { type StoredMessage, type StoredMessageState, withChanges } from './storedMessage';

/** A receiving link: the number of messages it can take now, and a way to send it one. */
export interface Consumer {
  readonly settlesOnSend: boolean;
  available(): number;
  deliver(stored: StoredMessage, lock?: MessageLock): void;
}

export interface MessageLock {
  readonly token: string;
  readonly stored: StoredMessage;
  lockedUntil: Date;
  timer: NodeJS.Timeout;
}

export interface DeadLetterInfo {
  reason?: string;
  description?: string;
  applicationProperties?: Record<string, unknown>;
}

export interface MessageStoreOptions {
  lockDurationMs: number;
  /** Failed deliveries after which a message is dead-lettered. Unset for the dead-letter sub-queue. */
  maxDeliveryCount?: number;
  /** Receives messages that this store dead-letters. Unset for the dead-letter sub-queue. */
  deadLetter?: (stored: StoredMessage, info: DeadLetterInfo) => void;
}

/**
 * Messages of one entity (a queue or its dead-letter sub-queue): ready messages in sequence
 * order, scheduled messages waiting for their time, and locked messages waiting for settlement.
 */
export class MessageStore {
  private readonly ready: StoredMessage[] = [];
  private readonly scheduled = new Map<number, { stored: StoredMessage; timer: NodeJS.Timeout }>();
  private readonly locks = new Map<string, MessageLock>();
  private readonly consumers: Consumer[] = [];
  private nextConsumer = 0;
  private pumping = false;

  constructor(private readonly options: MessageStoreOptions) {}

  /** Makes a message available to receivers, keeping sequence order for redelivered messages. */
  enqueue(stored: StoredMessage): void {
    let index = this.ready.length;
    while (index > 0 && this.ready[index - 1]!.sequenceNumber > stored.sequenceNumber) {
      index -= 1;
    }
    this.ready.splice(index, 0, stored);
    this.pump();
  }

  schedule(stored: StoredMessage, at: Date): void {
    stored.scheduledAt = at;
    const delayMs = Math.max(0, at.getTime() - Date.now());
    const timer = setTimeout(() => {
      this.scheduled.delete(stored.sequenceNumber);
      stored.enqueuedAt = new Date();
      this.enqueue(stored);
    }, delayMs);
    this.scheduled.set(stored.sequenceNumber, { stored, timer });
  }

  /** Removes a scheduled message. Returns false when no scheduled message has that number. */
  cancelScheduled(sequenceNumber: number): boolean {
    const entry = this.scheduled.get(sequenceNumber);
    if (!entry) {
      return false;
    }
    clearTimeout(entry.timer);
    this.scheduled.delete(sequenceNumber);
    return true;
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
  }

  removeConsumer(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) {
      this.consumers.splice(index, 1);
    }
  }

  /** Sends ready messages to consumers with credit, taking turns between consumers. */
  pump(): void {
    if (this.pumping) {
      return;
    }
    this.pumping = true;
    try {
      let consumer = this.nextConsumerWithCredit();
      while (this.ready.length > 0 && consumer) {
        const stored = this.ready.shift()!;
        consumer.deliver(stored, consumer.settlesOnSend ? undefined : this.lock(stored));
        consumer = this.nextConsumerWithCredit();
      }
    } finally {
      this.pumping = false;
    }
  }

  complete(token: string): boolean {
    const lock = this.takeLock(token);
    return lock !== undefined;
  }

  /** Releases the lock and counts a failed delivery, as Service Bus does for abandon and expiry. */
  abandon(token: string, annotations?: Record<string, unknown>): boolean {
    const lock = this.takeLock(token);
    if (!lock) {
      return false;
    }
    const stored = annotations
      ? { ...lock.stored, message: withChanges(lock.stored.message, { annotations }) }
      : lock.stored;
    this.redeliverOrDeadLetter(stored);
    return true;
  }

  deadLetter(token: string, info: DeadLetterInfo): boolean {
    const lock = this.takeLock(token);
    if (!lock) {
      return false;
    }
    if (this.options.deadLetter) {
      this.options.deadLetter(lock.stored, info);
    } else {
      // NOTE: a message dead-lettered from the dead-letter sub-queue goes back to it. What Service
      // Bus does in this case has not been checked.
      this.enqueue(lock.stored);
    }
    return true;
  }

  /** Extends a lock by the lock duration. Returns the new expiry, or undefined when the lock is lost. */
  renew(token: string): Date | undefined {
    const lock = this.locks.get(token);
    if (!lock) {
      return undefined;
    }
    clearTimeout(lock.timer);
    this.startLockTimer(lock);
    return lock.lockedUntil;
  }

  hasLock(token: string): boolean {
    return this.locks.has(token);
  }

  /** Lists messages in sequence order from `fromSequenceNumber`, without locking them. */
  peek(
    fromSequenceNumber: number,
    count: number,
  ): { stored: StoredMessage; state: StoredMessageState }[] {
    const all = [
      ...this.ready.map((stored) => ({ stored, state: 'active' as const })),
      ...[...this.locks.values()].map((lock) => ({
        stored: lock.stored,
        state: 'active' as const,
      })),
      ...[...this.scheduled.values()].map((entry) => ({
        stored: entry.stored,
        state: 'scheduled' as const,
      })),
    ];
    return all
      .filter((entry) => entry.stored.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.stored.sequenceNumber - b.stored.sequenceNumber)
      .slice(0, count);
  }

  /** Counts messages: active includes locked ones, as the Service Bus active count does. */
  counts(): { active: number; scheduled: number } {
    return { active: this.ready.length + this.locks.size, scheduled: this.scheduled.size };
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  close(): void {
    for (const entry of this.scheduled.values()) {
      clearTimeout(entry.timer);
    }
    for (const lock of this.locks.values()) {
      clearTimeout(lock.timer);
    }
    this.scheduled.clear();
    this.locks.clear();
    this.consumers.length = 0;
  }

  private lock(stored: StoredMessage): MessageLock {
    const lock = { token: generate_uuid(), stored } as MessageLock;
    this.startLockTimer(lock);
    this.locks.set(lock.token, lock);
    return lock;
  }

  private startLockTimer(lock: MessageLock): void {
    lock.lockedUntil = new Date(Date.now() + this.options.lockDurationMs);
    lock.timer = setTimeout(() => {
      if (this.locks.get(lock.token) === lock) {
        this.locks.delete(lock.token);
        this.redeliverOrDeadLetter(lock.stored);
      }
    }, this.options.lockDurationMs);
  }

  private takeLock(token: string): MessageLock | undefined {
    const lock = this.locks.get(token);
    if (lock) {
      clearTimeout(lock.timer);
      this.locks.delete(token);
    }
    return lock;
  }

  private redeliverOrDeadLetter(stored: StoredMessage): void {
    stored.deliveryCount += 1;
    const max = this.options.maxDeliveryCount;
    if (max !== undefined && this.options.deadLetter && stored.deliveryCount >= max) {
      this.options.deadLetter(stored, {
        reason: 'MaxDeliveryCountExceeded',
        description: `Message could not be consumed after ${max} delivery attempts.`,
      });
      return;
    }
    this.enqueue(stored);
  }

  private nextConsumerWithCredit(): Consumer | undefined {
    for (let i = 0; i < this.consumers.length; i += 1) {
      const index = (this.nextConsumer + i) % this.consumers.length;
      const consumer = this.consumers[index]!;
      if (consumer.available() > 0) {
        this.nextConsumer = (index + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }
}
