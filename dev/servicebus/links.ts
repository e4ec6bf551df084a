import type { Connection, Message, Receiver, Sender } from 'rhea';
import type { EmulatorLogger } from './logger';
import { type ManagementReply, toReplyMessage } from './management';

/** Fields of rhea links that its typings leave out. */
interface LinkInternals {
  local: {
    attach: { snd_settle_mode?: number; rcv_settle_mode?: number; max_message_size?: number };
  };
}

/** Copies the client's source, target and settle modes into the broker's attach frame. */
export function echoTerminus(link: Sender | Receiver): void {
  link.set_source(link.source);
  link.set_target(link.target);
  const attach = (link as unknown as LinkInternals).local.attach;
  attach.snd_settle_mode = link.snd_settle_mode;
  attach.rcv_settle_mode = link.rcv_settle_mode;
}

/** Announces the largest message the broker accepts on a link. The SDK sizes batches by it. */
export function setMaxMessageSize(link: Receiver, bytes: number): void {
  (link as unknown as LinkInternals).local.attach.max_message_size = bytes;
}

export function closeNotFound(link: Sender | Receiver, address: string | undefined): void {
  link.close({
    condition: 'amqp:not-found',
    description: `The messaging entity "${address ?? ''}" could not be found. Add it to the emulator's queues.`,
  });
}

export function hasSessionFilter(sender: Sender): boolean {
  const filter = (sender.source as { filter?: Record<string, unknown> } | undefined)?.filter;
  return filter !== undefined && filter !== null && 'com.microsoft:session-filter' in filter;
}

/**
 * Routes replies of `$cbs` and `$management` requests. A request names its reply link in
 * `reply_to`: the CBS client uses the link name, the management client the target address.
 */
export class ReplyRouter {
  private readonly links = new WeakMap<Connection, Map<string, Sender>>();

  constructor(private readonly log: EmulatorLogger) {}

  register(connection: Connection, sender: Sender): void {
    let links = this.links.get(connection);
    if (!links) {
      links = new Map();
      this.links.set(connection, links);
    }
    links.set(sender.name, sender);
    const target = sender.target?.address;
    if (target) {
      links.set(target, sender);
    }
  }

  send(connection: Connection, request: Message, reply: ManagementReply): void {
    const replyTo = request.reply_to;
    const sender = replyTo ? this.links.get(connection)?.get(replyTo) : undefined;
    if (!sender) {
      this.log.warn('No reply link for a management request; the reply is dropped.', {
        replyTo,
        operation: (request.application_properties as Record<string, unknown> | undefined)
          ?.operation,
      });
      return;
    }
    sender.send(toReplyMessage(request, reply));
  }
}
