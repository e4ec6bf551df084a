import type { Server, Socket } from 'node:net';
import { create_container } from 'rhea';
import type { Connection, EventContext, Message, Sender } from 'rhea';
import type { QueueRegistry } from './addresses';
import { BATCH_MESSAGE_FORMAT, encodeMessage, unpackBatch } from './codec';
import { LinkConsumer } from './consumer';
import {
  closeNotFound,
  echoTerminus,
  hasSessionFilter,
  ReplyRouter,
  setMaxMessageSize,
} from './links';
import type { EmulatorLogger } from './logger';
import { handleRequest } from './management';
import { type Outcome, settleDelivery } from './settlement';

/** Largest message the queue links accept, as on the Service Bus Standard tier (256 KiB). */
const MAX_MESSAGE_SIZE_BYTES = 256 * 1024;
const CLOSE_GRACE_MS = 200;

/** The AMQP side of the emulator: accepts connections and routes links to queues. */
export class Broker {
  private readonly container = create_container({ id: 'servicebus-emulator' });
  private readonly connections = new Set<Connection>();
  private readonly sockets = new Set<Socket>();
  private readonly consumers = new Map<Sender, LinkConsumer>();
  private readonly replies: ReplyRouter;
  private server: Server | undefined;

  constructor(
    private readonly queues: QueueRegistry,
    private readonly log: EmulatorLogger,
  ) {
    this.replies = new ReplyRouter(log);
    this.on('connection_open', (context) => {
      this.connections.add(context.connection);
    });
    this.on('connection_close', (context) => this.forgetConnection(context.connection));
    this.on('disconnected', (context) => this.forgetConnection(context.connection));
    this.on('receiver_open', (context) => this.onReceiverOpen(context));
    this.on('sender_open', (context) => this.onSenderOpen(context));
    this.on('message', (context) => this.onMessage(context));
    this.on('sender_flow', (context) => this.consumers.get(context.sender!)?.onFlow());
    this.on('sender_draining', (context) => this.consumers.get(context.sender!)?.onDrain());
    // rhea reports 'sendable' when its delivery buffer for the session has room again.
    this.on('sendable', (context) => this.consumers.get(context.sender!)?.store.pump());
    for (const outcome of ['accepted', 'rejected', 'modified', 'released'] as const) {
      this.on(outcome, (context) => this.onOutcome(context, outcome));
    }
    this.on('sender_close', (context) => this.dropConsumer(context.sender!));
    this.container.on('error', (context: EventContext) => {
      this.log.warn('AMQP connection failed', { error: String(context.error) });
    });
  }

  /** Starts listening and resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    const server = this.container.listen({
      host,
      port,
      // Without this, rhea reports the client's abandon (modified) as released.
      treat_modified_as_released: false,
      // Sends are accepted only once the queue has taken them.
      autoaccept: false,
    } as Parameters<typeof this.container.listen>[0]);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const address = server.address();
    if (!address || typeof address === 'string') {
      throw new Error(`Service Bus emulator failed to bind ${host}:${port}.`);
    }
    return address.port;
  }

  /** Closes every client connection, then the listening socket. */
  async stop(): Promise<void> {
    for (const connection of this.connections) {
      connection.close();
    }
    if (this.connections.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS));
    }
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.consumers.clear();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Checks the target of a client sender that attached. The broker receives on that link. */
  private onReceiverOpen(context: EventContext): void {
    const receiver = context.receiver!;
    echoTerminus(receiver);
    const endpoint = this.queues.resolve(receiver.target?.address);
    if (!endpoint) {
      closeNotFound(receiver, receiver.target?.address);
    } else if (endpoint.kind === 'entity' && endpoint.subQueue === 'deadLetter') {
      receiver.close({
        condition: 'amqp:not-allowed',
        description: `Cannot send to "${receiver.target?.address}": a dead-letter sub-queue does not accept messages.`,
      });
    } else if (endpoint.kind === 'entity') {
      setMaxMessageSize(receiver, MAX_MESSAGE_SIZE_BYTES);
    }
  }

  /** Checks the source of a client receiver that attached. The broker sends on that link. */
  private onSenderOpen(context: EventContext): void {
    const sender = context.sender!;
    echoTerminus(sender);
    const address = sender.source?.address;
    const endpoint = this.queues.resolve(address);
    if (!endpoint) {
      closeNotFound(sender, address);
      return;
    }
    if (endpoint.kind !== 'entity') {
      this.replies.register(context.connection, sender);
      return;
    }
    if (hasSessionFilter(sender)) {
      sender.close({
        condition: 'amqp:not-implemented',
        description: 'Sessions are not supported by the Service Bus emulator.',
      });
      return;
    }
    const store = endpoint.queue.store(endpoint.subQueue);
    const consumer = new LinkConsumer(sender, store, sender.snd_settle_mode === 1);
    this.consumers.set(sender, consumer);
    store.addConsumer(consumer);
  }

  private onMessage(context: EventContext): void {
    const endpoint = this.queues.resolve(context.receiver!.target?.address);
    const delivery = context.delivery!;
    if (!endpoint) {
      delivery.reject({ condition: 'amqp:not-found', description: 'The link has no entity.' });
      return;
    }
    if (endpoint.kind !== 'entity') {
      delivery.accept();
      this.replies.send(
        context.connection,
        context.message!,
        handleRequest(endpoint, context.message!),
      );
      return;
    }
    const format = (context as { format?: number }).format;
    const size =
      format === BATCH_MESSAGE_FORMAT
        ? (context.message as unknown as Buffer).length
        : encodeMessage(context.message!).length;
    if (size > MAX_MESSAGE_SIZE_BYTES) {
      delivery.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `The message is ${size} bytes; the maximum is ${MAX_MESSAGE_SIZE_BYTES} bytes.`,
      });
      return;
    }
    let messages: Message[];
    try {
      messages =
        format === BATCH_MESSAGE_FORMAT
          ? unpackBatch(context.message as unknown as Buffer)
          : [context.message!];
    } catch (error) {
      delivery.reject({ condition: 'amqp:decode-error', description: String(error) });
      return;
    }
    for (const message of messages) {
      endpoint.queue.accept(message);
    }
    delivery.accept();
  }

  private onOutcome(context: EventContext, outcome: Outcome): void {
    const consumer = this.consumers.get(context.sender!);
    if (consumer && !consumer.settlesOnSend && context.delivery) {
      settleDelivery(consumer.store, context.delivery, outcome);
      consumer.forget(context.delivery);
    }
  }

  /** Subscribes to a rhea event. A failing handler is logged instead of breaking the connection. */
  private on(event: string, handler: (context: EventContext) => void): void {
    this.container.on(event, (context: EventContext) => {
      try {
        handler(context);
      } catch (error) {
        this.log.error('Service Bus emulator failed to handle an AMQP event', {
          event,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }

  private forgetConnection(connection: Connection): void {
    this.connections.delete(connection);
    this.dropConsumersOf(connection);
  }

  private dropConsumer(sender: Sender): void {
    const consumer = this.consumers.get(sender);
    if (consumer) {
      consumer.store.removeConsumer(consumer);
      consumer.close();
      this.consumers.delete(sender);
    }
  }

  private dropConsumersOf(connection: Connection): void {
    for (const sender of [...this.consumers.keys()]) {
      if (sender.connection === connection) {
        this.dropConsumer(sender);
      }
    }
  }
}
