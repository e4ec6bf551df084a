import type { Delivery, Sender } from 'rhea';
import { lockTokenToDeliveryTag } from './codec';
import type { Consumer, MessageLock, MessageStore } from './messageStore';
import { toWireMessage, type StoredMessage } from './storedMessage';

/** Fields of a rhea sender that its typings leave out. */
interface SenderInternals {
  credit: number;
  delivery_count: number;
}

/**
 * A client's receiving link, seen from the broker's sending side. It keeps its own credit
 * count: rhea lowers `sender.credit` only when a transfer is written to the socket, which
 * happens after the current tick, so a loop that trusts `sender.credit` overruns the credit.
 */
export class LinkConsumer implements Consumer {
  /** The AMQP delivery-count up to which the client granted credit, from the latest flow. */
  private creditLimit = 0;
  /** Deliveries sent on this link, plus credit given back by drains: the AMQP delivery-count. */
  private deliveryCount = 0;

  constructor(
    private readonly sender: Sender,
    readonly store: MessageStore,
    readonly settlesOnSend: boolean,
  ) {}

  available(): number {
    if (!this.sender.is_open()) {
      return 0;
    }
    return Math.max(0, this.creditLimit - this.deliveryCount);
  }

  deliver(stored: StoredMessage, lock?: MessageLock): void {
    const wire = toWireMessage(stored, 'active', lock?.lockedUntil);
    const tag = lock ? lockTokenToDeliveryTag(lock.token) : undefined;
    const delivery: Delivery = this.sender.send(wire, tag);
    if (this.settlesOnSend) {
      // receiveAndDelete: the message leaves the queue as it is sent.
      (delivery as { settled: boolean }).settled = true;
    }
    this.deliveryCount += 1;
  }

  /** Records new credit; rhea has already applied the flow frame to `sender.credit`. */
  onFlow(): void {
    const internals = this.sender as unknown as SenderInternals;
    this.creditLimit = internals.credit + internals.delivery_count;
    this.store.pump();
  }

  /** Answers a drain request: send what is ready, then give the rest of the credit back. */
  onDrain(): void {
    this.store.pump();
    this.deliveryCount = Math.max(this.deliveryCount, this.creditLimit);
    this.sender.set_drained(true);
  }
}
