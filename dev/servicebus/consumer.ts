import type { Delivery, Sender } from 'rhea';
import { lockTokenToDeliveryTag } from './codec';
import type { Consumer, MessageLock, MessageStore } from './messageStore';
import { toWireMessage, type StoredMessage } from './storedMessage';

/** Fields of rhea senders and deliveries that its typings leave out. */
interface SenderInternals {
  credit: number;
  delivery_count: number;
  session: { outgoing: { available(): number } };
}

interface DeliveryInternals {
  settled: boolean;
  remote_settled: boolean;
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
  /** Peek-lock deliveries that the client has not settled yet. */
  private readonly unsettled = new Set<Delivery>();

  constructor(
    private readonly sender: Sender,
    readonly store: MessageStore,
    readonly settlesOnSend: boolean,
  ) {}

  available(): number {
    if (!this.sender.is_open()) {
      return 0;
    }
    const internals = this.sender as unknown as SenderInternals;
    // rhea keeps unsettled deliveries in a fixed-size buffer per session and throws when it is
    // full. Its 'sendable' event reports free space again.
    const bufferSpace = internals.session.outgoing.available();
    return Math.max(0, Math.min(this.creditLimit - this.deliveryCount, bufferSpace));
  }

  deliver(stored: StoredMessage, lock?: MessageLock): void {
    const wire = toWireMessage(stored, 'active', lock?.lockedUntil);
    const tag = lock ? lockTokenToDeliveryTag(lock.token) : undefined;
    const delivery = this.sender.send(wire, tag);
    if (this.settlesOnSend) {
      // receiveAndDelete: the message leaves the queue as it is sent.
      (delivery as unknown as DeliveryInternals).settled = true;
    } else {
      this.unsettled.add(delivery);
    }
    this.deliveryCount += 1;
  }

  /** Records new credit. rhea has already applied the flow frame to `sender.credit`. */
  onFlow(): void {
    const internals = this.sender as unknown as SenderInternals;
    this.creditLimit = internals.credit + internals.delivery_count;
    this.store.pump();
  }

  /** Handles a drain request: sends what is ready, then returns the remaining credit. */
  onDrain(): void {
    this.store.pump();
    this.deliveryCount = Math.max(this.deliveryCount, this.creditLimit);
    this.sender.set_drained(true);
  }

  /**
   * Lets rhea drop a delivery that the broker has settled. With receiver settle mode "second"
   * the client sends no further frame after the broker's settled disposition, so rhea would
   * otherwise keep the delivery, and every later one on the session, forever.
   */
  forget(delivery: Delivery): void {
    this.unsettled.delete(delivery);
    const internals = delivery as unknown as DeliveryInternals;
    internals.settled = true;
    internals.remote_settled = true;
  }

  /** Drops the deliveries still open when the link closes. Their locks stay until they expire. */
  close(): void {
    for (const delivery of [...this.unsettled]) {
      this.forget(delivery);
    }
  }
}
