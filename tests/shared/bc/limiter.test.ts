import { BcLimiter } from '../../../shared/bc/limiter';

/** Creates a task that the test finishes by hand and that records when it started. */
function deferredTask(started: number[], id: number) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const fn = async () => {
    started.push(id);
    await done;
    return id;
  };
  return { fn, finish: () => finish() };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

describe('BcLimiter', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test('keeps at most maxConcurrent in flight, FIFO', async () => {
    const limiter = new BcLimiter({ maxConcurrent: 2, maxPerWindow: 100, windowMs: 1000 });
    const started: number[] = [];
    const tasks = [0, 1, 2, 3, 4].map((id) => deferredTask(started, id));
    const results = tasks.map((task) => limiter.run(task.fn));
    await settle();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(3);

    tasks[1]?.finish();
    await settle();
    expect(started).toEqual([0, 1, 2]);

    tasks[0]?.finish();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);

    for (const task of tasks) task.finish();
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(limiter.inFlight).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  test('keeps at most maxPerWindow starts per sliding window', async () => {
    jest.useFakeTimers({ now: 0 });
    const limiter = new BcLimiter({ maxConcurrent: 10, maxPerWindow: 3, windowMs: 1000 });
    const started: number[] = [];
    const startTimes: number[] = [];
    const runs = [0, 1, 2, 3, 4, 5, 6].map((id) =>
      limiter.run(async () => {
        started.push(id);
        startTimes.push(Date.now());
        if (id === 0) await new Promise((resolve) => setTimeout(resolve, 400));
        return id;
      }),
    );
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2]);

    await jest.advanceTimersByTimeAsync(999);
    expect(started).toEqual([0, 1, 2]);

    await jest.advanceTimersByTimeAsync(1);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);

    await jest.advanceTimersByTimeAsync(1000);
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(startTimes).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
    for (let i = 3; i < startTimes.length; i += 1) {
      const windowStart = (startTimes[i] ?? 0) - 1000;
      const inWindow = startTimes.filter((t) => t > windowStart && t <= (startTimes[i] ?? 0));
      expect(inWindow.length).toBeLessThanOrEqual(3);
    }
  });

  test('rejections reach the caller and free the slot', async () => {
    const limiter = new BcLimiter({ maxConcurrent: 1, maxPerWindow: 10, windowMs: 1000 });
    const failing = limiter.run(async () => {
      throw new Error('request failed');
    });
    const throwSynchronously = (): Promise<never> => {
      throw new Error('thrown synchronously');
    };
    const syncThrow = limiter.run(throwSynchronously);
    const next = limiter.run(async () => 'next');
    await expect(failing).rejects.toThrow('request failed');
    await expect(syncThrow).rejects.toThrow('thrown synchronously');
    await expect(next).resolves.toBe('next');
    expect(limiter.inFlight).toBe(0);
  });

  test('rejects invalid options', () => {
    expect(() => new BcLimiter({ maxConcurrent: 0, maxPerWindow: 1, windowMs: 1 })).toThrow(
      /maxConcurrent/,
    );
    expect(() => new BcLimiter({ maxConcurrent: 1, maxPerWindow: 1.5, windowMs: 1 })).toThrow(
      /maxPerWindow/,
    );
  });
});
