import {
  type ServiceBusError,
  type ServiceBusReceivedMessage,
  ServiceBusClient,
} from '@azure/service-bus';
import { type ServiceBusEmulator, startServiceBusEmulator } from '../../../dev/servicebus';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let emulator: ServiceBusEmulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startServiceBusEmulator({
    queues: [
      { name: 'basic' },
      { name: 'batches' },
      { name: 'abandon' },
      { name: 'dead-letter' },
      { name: 'scheduled' },
      { name: 'cancel' },
      { name: 'renewal', lockDurationMs: 2000 },
      { name: 'expiry', lockDurationMs: 1000 },
      { name: 'max-delivery', maxDeliveryCount: 2 },
      { name: 'duplicates', duplicateDetectionWindowMs: 1000 },
      { name: 'peek' },
      { name: 'credit' },
      { name: 'stream' },
      { name: 'stream-errors' },
      { name: 'stream-dlq' },
      { name: 'delete' },
      { name: 'late-settle' },
      { name: 'partial' },
    ],
  });
  client = new ServiceBusClient(emulator.connectionString);
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

async function sendBodies(queue: string, bodies: unknown[]): Promise<void> {
  const sender = client.createSender(queue);
  await sender.sendMessages(bodies.map((body) => ({ body })));
  await sender.close();
}

describe('Service Bus emulator with the @azure/service-bus SDK', () => {
  test('single message keeps its properties', async () => {
    const sender = client.createSender('basic');
    await sender.sendMessages({
      body: { order: 'SO-1001', lines: [1, 2] },
      messageId: 'salesOrder:SO-1001:v1',
      correlationId: 'corr-1',
      subject: 'salesOrder',
      contentType: 'application/json',
      applicationProperties: { kind: 'salesOrder', attempt: 2 },
    });
    await sender.close();

    const receiver = client.createReceiver('basic');
    const [message] = await receiver.receiveMessages(1);
    expect(message).toBeDefined();
    const received = message!;
    expect(received.body).toEqual({ order: 'SO-1001', lines: [1, 2] });
    expect(received.messageId).toBe('salesOrder:SO-1001:v1');
    expect(received.correlationId).toBe('corr-1');
    expect(received.subject).toBe('salesOrder');
    expect(received.contentType).toBe('application/json');
    expect(received.applicationProperties).toEqual({ kind: 'salesOrder', attempt: 2 });
    expect(received.deliveryCount).toBe(0);
    expect(received.sequenceNumber?.toNumber()).toBeGreaterThan(0);
    expect(received.enqueuedTimeUtc).toBeInstanceOf(Date);
    expect(received.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    expect(received.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.queueDepth('basic').active).toBe(1);

    await receiver.completeMessage(received);
    await receiver.close();
    expect(emulator.queueDepth('basic')).toEqual({ active: 0, scheduled: 0, deadLetter: 0 });
  });

  test('array and batch sends arrive in order', async () => {
    const sender = client.createSender('batches');
    await sender.sendMessages([{ body: 'a1' }, { body: 'a2' }, { body: 'a3' }]);
    const batch = await sender.createMessageBatch();
    expect(batch.tryAddMessage({ body: 'b1', messageId: 'b1' })).toBe(true);
    expect(batch.tryAddMessage({ body: 'b2', messageId: 'b2' })).toBe(true);
    await sender.sendMessages(batch);
    await sender.close();

    const receiver = client.createReceiver('batches');
    const messages = await receiver.receiveMessages(5);
    expect(messages.map((m) => m.body)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(messages.every((m) => typeof m.messageId === 'string')).toBe(true);
    const sequence = messages.map((m) => m.sequenceNumber!.toNumber());
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    for (const message of messages) {
      await receiver.completeMessage(message);
    }
    await receiver.close();
    expect(emulator.queueDepth('batches').active).toBe(0);
  });

  test('message over 256 KiB is rejected', async () => {
    const sender = client.createSender('basic');
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(256 * 1024);
    expect(batch.tryAddMessage({ body: 'x'.repeat(300_000) })).toBe(false);

    const send = sender.sendMessages({ body: 'x'.repeat(300_000) });
    await expect(send).rejects.toMatchObject({ code: 'MessageSizeExceeded' });
    await sender.sendMessages({ body: 'y'.repeat(200_000) });
    await sender.close();
    expect(emulator.queueDepth('basic').active).toBe(1);

    const receiver = client.createReceiver('basic', { receiveMode: 'receiveAndDelete' });
    const [message] = await receiver.receiveMessages(1);
    expect((message!.body as string).length).toBe(200_000);
    await receiver.close();
  });

  test('abandon redelivers with higher delivery count', async () => {
    await sendBodies('abandon', ['retry me']);
    const receiver = client.createReceiver('abandon');
    const [first] = await receiver.receiveMessages(1);
    expect(first!.deliveryCount).toBe(0);
    await receiver.abandonMessage(first!);

    const [second] = await receiver.receiveMessages(1);
    expect(second!.body).toBe('retry me');
    expect(second!.deliveryCount).toBe(1);
    expect(second!.lockToken).not.toBe(first!.lockToken);
    await receiver.completeMessage(second!);
    await receiver.close();
  });

  test('defer is rejected and abandons', async () => {
    await sendBodies('abandon', ['defer me']);
    const receiver = client.createReceiver('abandon');
    const [message] = await receiver.receiveMessages(1);
    await expect(receiver.deferMessage(message!)).rejects.toThrow(
      'Deferring messages is not supported.',
    );

    const [again] = await receiver.receiveMessages(1);
    expect(again!.body).toBe('defer me');
    expect(again!.deliveryCount).toBe(1);
    await receiver.completeMessage(again!);
    await receiver.close();
    expect(emulator.queueDepth('abandon').active).toBe(0);
  });

  test('dead-lettered message shows reason on sub-queue', async () => {
    await sendBodies('dead-letter', [{ id: 7 }]);
    const receiver = client.createReceiver('dead-letter');
    const [message] = await receiver.receiveMessages(1);
    await receiver.deadLetterMessage(message!, {
      deadLetterReason: 'MAPPING_FAILED',
      deadLetterErrorDescription: 'Item 1000 has no unit of measure.',
    });
    await receiver.close();
    expect(emulator.queueDepth('dead-letter')).toEqual({ active: 0, scheduled: 0, deadLetter: 1 });

    const dlq = client.createReceiver('dead-letter', { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1);
    expect(dead!.body).toEqual({ id: 7 });
    expect(dead!.deadLetterReason).toBe('MAPPING_FAILED');
    expect(dead!.deadLetterErrorDescription).toBe('Item 1000 has no unit of measure.');
    expect(dead!.deadLetterSource).toBe('dead-letter');
    await dlq.completeMessage(dead!);
    await dlq.close();
    expect(emulator.queueDepth('dead-letter').deadLetter).toBe(0);
  });

  test('scheduled messages arrive at their time, not before', async () => {
    const sender = client.createSender('scheduled');
    const dueAt = new Date(Date.now() + 1500);
    const [sequenceNumber] = await sender.scheduleMessages({ body: 'via schedule' }, dueAt);
    await sender.sendMessages({ body: 'via send', scheduledEnqueueTimeUtc: dueAt });
    await sender.close();
    expect(sequenceNumber!.toNumber()).toBeGreaterThan(0);
    expect(emulator.queueDepth('scheduled')).toEqual({ active: 0, scheduled: 2, deadLetter: 0 });

    const receiver = client.createReceiver('scheduled');
    const early = await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 });
    expect(early).toHaveLength(0);

    const messages = await receiver.receiveMessages(2, { maxWaitTimeInMs: 5000 });
    const receivedAt = Date.now();
    expect(messages.map((m) => m.body).sort()).toEqual(['via schedule', 'via send']);
    expect(receivedAt).toBeGreaterThanOrEqual(dueAt.getTime());
    for (const message of messages) {
      expect(message.scheduledEnqueueTimeUtc?.getTime()).toBe(dueAt.getTime());
      await receiver.completeMessage(message);
    }
    await receiver.close();
  });

  test('cancelled scheduled message never arrives', async () => {
    const sender = client.createSender('cancel');
    const [sequenceNumber] = await sender.scheduleMessages(
      { body: 'cancel me' },
      new Date(Date.now() + 800),
    );
    expect(emulator.queueDepth('cancel').scheduled).toBe(1);
    await sender.cancelScheduledMessages(sequenceNumber!);
    await sender.close();
    expect(emulator.queueDepth('cancel').scheduled).toBe(0);

    await delay(1000);
    expect(emulator.queueDepth('cancel').active).toBe(0);
  });

  test('SDK renews lock while handler is busy', async () => {
    await sendBodies('renewal', ['slow work']);
    const receiver = client.createReceiver('renewal');
    const [message] = await receiver.receiveMessages(1);
    const firstLockedUntil = message!.lockedUntilUtc!.getTime();

    await delay(3000);
    expect(message!.lockedUntilUtc!.getTime()).toBeGreaterThan(firstLockedUntil);
    await receiver.completeMessage(message!);
    await receiver.close();
    expect(emulator.queueDepth('renewal').active).toBe(0);
  });

  test('expired lock fails settle and redelivers', async () => {
    await sendBodies('expiry', ['too slow']);
    const receiver = client.createReceiver('expiry', { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receiver.receiveMessages(1);
    await delay(1300);

    const settle = receiver.completeMessage(message!);
    await expect(settle).rejects.toMatchObject({ code: 'MessageLockLost' });

    const [again] = await receiver.receiveMessages(1);
    expect(again!.body).toBe('too slow');
    expect(again!.deliveryCount).toBe(1);
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  test('max delivery count dead-letters message', async () => {
    await sendBodies('max-delivery', ['poison']);
    const receiver = client.createReceiver('max-delivery');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const [message] = await receiver.receiveMessages(1);
      expect(message!.deliveryCount).toBe(attempt);
      await receiver.abandonMessage(message!);
    }
    await receiver.close();
    expect(emulator.queueDepth('max-delivery')).toEqual({ active: 0, scheduled: 0, deadLetter: 1 });

    const dlq = client.createReceiver('max-delivery', { subQueueType: 'deadLetter' });
    const [dead] = await dlq.receiveMessages(1);
    expect(dead!.body).toBe('poison');
    expect(dead!.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead!.deliveryCount).toBe(2);
    await dlq.completeMessage(dead!);
    await dlq.close();
  });

  test('duplicate message id dropped within window', async () => {
    const sender = client.createSender('duplicates');
    await sender.sendMessages({ body: 'first', messageId: 'dup-1' });
    await sender.sendMessages({ body: 'second', messageId: 'dup-1' });
    await sender.sendMessages({ body: 'other id', messageId: 'dup-2' });
    expect(emulator.queueDepth('duplicates').active).toBe(2);

    await delay(1100);
    await sender.sendMessages({ body: 'after window', messageId: 'dup-1' });
    await sender.close();

    const receiver = client.createReceiver('duplicates', { receiveMode: 'receiveAndDelete' });
    const messages = await receiver.receiveMessages(3);
    expect(messages.map((m) => m.body)).toEqual(['first', 'other id', 'after window']);
    await receiver.close();
  });

  test('peek lists active and scheduled without locking', async () => {
    const sender = client.createSender('peek');
    await sender.sendMessages([{ body: 'p1' }, { body: 'p2' }]);
    await sender.scheduleMessages({ body: 'later' }, new Date(Date.now() + 60_000));
    await sender.close();

    const receiver = client.createReceiver('peek');
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((m) => [m.body, m.state])).toEqual([
      ['p1', 'active'],
      ['p2', 'active'],
      ['later', 'scheduled'],
    ]);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    expect(emulator.queueDepth('peek')).toEqual({ active: 2, scheduled: 1, deadLetter: 0 });

    const received = await receiver.receiveMessages(2);
    expect(received.map((m) => m.body)).toEqual(['p1', 'p2']);
    for (const message of received) {
      await receiver.completeMessage(message);
    }
    await receiver.close();
  });

  test('receiver gets no more messages than its credit', async () => {
    await sendBodies(
      'credit',
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    const first = client.createReceiver('credit');
    const second = client.createReceiver('credit');
    const three = await first.receiveMessages(3);
    const seven = await second.receiveMessages(7);
    expect(three.map((m) => m.body)).toEqual(['m0', 'm1', 'm2']);
    expect(seven.map((m) => m.body)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    for (const message of three) {
      await first.completeMessage(message);
    }
    for (const message of seven) {
      await second.completeMessage(message);
    }
    await first.close();
    await second.close();
    expect(emulator.queueDepth('credit').active).toBe(0);
  });

  test('partial receive drains and keeps link open', async () => {
    await sendBodies('partial', ['only one']);
    const receiver = client.createReceiver('partial');
    const messages = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(messages.map((m) => m.body)).toEqual(['only one']);
    // The SDK closes a receiving link whose drain request goes unanswered.
    expect(emulator.receiverCount('partial')).toBe(1);

    const empty = await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 });
    expect(empty).toHaveLength(0);
    expect(emulator.receiverCount('partial')).toBe(1);
    await receiver.completeMessage(messages[0]!);
    await receiver.close();
    expect(emulator.receiverCount('partial')).toBe(0);
  });

  test('subscribe processes many messages concurrently', async () => {
    // More than rhea's default buffer of 2048 deliveries per session, which settled
    // deliveries must leave.
    const count = 2100;
    for (let start = 0; start < count; start += 300) {
      const bodies = Array.from({ length: 300 }, (_, i) => ({ n: start + i }));
      await sendBodies('stream', bodies);
    }
    const receiver = client.createReceiver('stream');
    const seen = new Set<number>();
    let running = 0;
    let maxRunning = 0;
    const errors: Error[] = [];
    let allSeen!: () => void;
    const done = new Promise<void>((resolve) => (allSeen = resolve));

    const subscription = receiver.subscribe(
      {
        processMessage: async (message: ServiceBusReceivedMessage) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await delay(1);
          seen.add((message.body as { n: number }).n);
          running -= 1;
          if (seen.size === count) {
            allSeen();
          }
        },
        processError: async (args) => {
          errors.push(args.error);
        },
      },
      { maxConcurrentCalls: 4 },
    );
    // A stall fails the count check below instead of the jest timeout.
    await Promise.race([done, delay(20_000)]);
    await subscription.close();
    await receiver.close();

    expect(seen.size).toBe(count);
    expect(errors).toEqual([]);
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(4);
    expect(emulator.queueDepth('stream').active).toBe(0);
  });

  test('subscribe abandons message when handler throws', async () => {
    await sendBodies('stream-errors', ['flaky']);
    const receiver = client.createReceiver('stream-errors');
    const deliveryCounts: number[] = [];
    const errors: string[] = [];
    let succeeded!: () => void;
    const done = new Promise<void>((resolve) => (succeeded = resolve));

    const subscription = receiver.subscribe({
      processMessage: async (message) => {
        deliveryCounts.push(message.deliveryCount ?? -1);
        if (message.deliveryCount === 0) {
          throw new Error('transient failure');
        }
        succeeded();
      },
      processError: async (args) => {
        errors.push(args.error.message);
      },
    });
    await done;
    await subscription.close();
    await receiver.close();

    expect(deliveryCounts).toEqual([0, 1]);
    expect(errors).toEqual(['transient failure']);
    expect(emulator.queueDepth('stream-errors').active).toBe(0);
  });

  test('subscribe reads the dead-letter sub-queue', async () => {
    await sendBodies('stream-dlq', ['d1', 'd2']);
    const receiver = client.createReceiver('stream-dlq');
    for (const message of await receiver.receiveMessages(2)) {
      await receiver.deadLetterMessage(message, {
        deadLetterReason: 'TEST',
        deadLetterErrorDescription: 'dead-lettered by the test',
      });
    }
    await receiver.close();

    const dlq = client.createReceiver('stream-dlq', { subQueueType: 'deadLetter' });
    const reasons: string[] = [];
    let drained!: () => void;
    const done = new Promise<void>((resolve) => (drained = resolve));
    const subscription = dlq.subscribe({
      processMessage: async (message) => {
        reasons.push(`${String(message.body)}:${message.deadLetterReason}`);
        if (reasons.length === 2) {
          drained();
        }
      },
      processError: async () => undefined,
    });
    await done;
    await subscription.close();
    await dlq.close();

    expect(reasons.sort()).toEqual(['d1:TEST', 'd2:TEST']);
    expect(emulator.queueDepth('stream-dlq').deadLetter).toBe(0);
  });

  test('receiveAndDelete removes messages on receipt', async () => {
    await sendBodies('delete', ['gone1', 'gone2']);
    const receiver = client.createReceiver('delete', { receiveMode: 'receiveAndDelete' });
    const messages = await receiver.receiveMessages(2);
    await receiver.close();
    expect(messages.map((m) => m.body)).toEqual(['gone1', 'gone2']);
    expect(emulator.queueDepth('delete').active).toBe(0);
  });

  test('settle after link closed uses management', async () => {
    await sendBodies('late-settle', ['complete me', 'dead-letter me']);
    const first = client.createReceiver('late-settle');
    const [toComplete, toDeadLetter] = await first.receiveMessages(2);
    await first.close();

    // The delivering link is gone, so the SDK settles through the $management link.
    const second = client.createReceiver('late-settle');
    await second.completeMessage(toComplete!);
    await second.deadLetterMessage(toDeadLetter!, {
      deadLetterReason: 'LATE',
      deadLetterErrorDescription: 'settled after the link closed',
    });
    await expect(second.completeMessage(toComplete!)).rejects.toMatchObject({
      code: 'MessageLockLost',
    });
    await second.close();
    expect(emulator.queueDepth('late-settle')).toEqual({ active: 0, scheduled: 0, deadLetter: 1 });

    const dlq = client.createReceiver('late-settle', {
      receiveMode: 'receiveAndDelete',
      subQueueType: 'deadLetter',
    });
    const [dead] = await dlq.receiveMessages(1);
    expect(dead!.deadLetterReason).toBe('LATE');
    expect(dead!.deadLetterErrorDescription).toBe('settled after the link closed');
    await dlq.close();
  });

  test('unknown queue raises MessagingEntityNotFound', async () => {
    const sender = client.createSender('no-such-queue');
    const send = sender.sendMessages({ body: 'lost' });
    await expect(send).rejects.toMatchObject({ code: 'MessagingEntityNotFound' });
    await sender.close();

    const receiver = client.createReceiver('no-such-queue');
    const receive = receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await expect(receive).rejects.toMatchObject({
      code: 'MessagingEntityNotFound',
    } satisfies Partial<ServiceBusError>);
    await receiver.close();
  });
});

describe('Service Bus emulator lifecycle', () => {
  test('stop closes connections of open clients', async () => {
    const own = await startServiceBusEmulator({ queues: [{ name: 'q' }] });
    const openClient = new ServiceBusClient(own.connectionString, {
      retryOptions: { maxRetries: 0 },
    });
    const sender = openClient.createSender('q');
    await sender.sendMessages({ body: 'before stop' });
    expect(own.queueDepth('q').active).toBe(1);

    await own.stop();
    await expect(sender.sendMessages({ body: 'after stop' })).rejects.toThrow();
    await openClient.close();
  });

  test('invalid queue options are rejected', async () => {
    await expect(
      startServiceBusEmulator({ queues: [{ name: 'q', lockDurationMs: 0 }] }),
    ).rejects.toThrow('Invalid lockDurationMs 0 for queue "q"');
    await expect(
      startServiceBusEmulator({ queues: [{ name: 'q' }, { name: 'Q' }] }),
    ).rejects.toThrow('Duplicate queue name "Q"');
  });

  test('queueDepth rejects unknown queue', () => {
    expect(() => emulator.queueDepth('missing')).toThrow('Unknown queue "missing"');
  });
});
