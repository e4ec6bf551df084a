import type { ServiceBusQueue, SubQueue } from './queue';

/** Target of a link address: the CBS node, an entity's management node, or an entity. */
export type Endpoint =
  | { kind: 'cbs' }
  | { kind: 'management'; queue: ServiceBusQueue; subQueue: SubQueue }
  | { kind: 'entity'; queue: ServiceBusQueue; subQueue: SubQueue };

const CBS_ADDRESS = '$cbs';
const MANAGEMENT_SUFFIX = '/$management';
const DEAD_LETTER_SUFFIX = '/$deadletterqueue';

/** Queues by name. Service Bus entity names are case-insensitive. */
export class QueueRegistry {
  private readonly queues = new Map<string, ServiceBusQueue>();

  constructor(queues: Iterable<ServiceBusQueue>) {
    for (const queue of queues) {
      const key = queue.name.toLowerCase();
      if (this.queues.has(key)) {
        throw new Error(`Duplicate queue name "${queue.name}": queue names must be unique.`);
      }
      this.queues.set(key, queue);
    }
  }

  get(name: string): ServiceBusQueue | undefined {
    return this.queues.get(name.toLowerCase());
  }

  all(): IterableIterator<ServiceBusQueue> {
    return this.queues.values();
  }

  /**
   * Resolves a link address such as `q1`, `q1/$DeadLetterQueue`, `q1/$management` or `$cbs`.
   * A full `sb://host/q1` form is accepted too. Returns undefined for an unknown entity.
   */
  resolve(address: string | undefined): Endpoint | undefined {
    if (!address) {
      return undefined;
    }
    let path = address.replace(/^[a-z]+:\/\/[^/]+\//i, '');
    if (path.toLowerCase() === CBS_ADDRESS) {
      return { kind: 'cbs' };
    }
    let kind: 'management' | 'entity' = 'entity';
    if (path.toLowerCase().endsWith(MANAGEMENT_SUFFIX)) {
      kind = 'management';
      path = path.slice(0, -MANAGEMENT_SUFFIX.length);
    }
    let subQueue: SubQueue = 'main';
    if (path.toLowerCase().endsWith(DEAD_LETTER_SUFFIX)) {
      subQueue = 'deadLetter';
      path = path.slice(0, -DEAD_LETTER_SUFFIX.length);
    }
    const queue = this.get(path);
    return queue ? { kind, queue, subQueue } : undefined;
  }
}
