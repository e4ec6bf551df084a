import type { Timer, TimerHandler } from '@azure/functions';
import { createContext, type HostLogListener } from './context';
import { parseSchedule } from './ncrontab';

export interface TimerJob {
  functionName: string;
  schedule: string;
  handler: TimerHandler;
}

export interface RunningTimer {
  functionName: string;
  /** Runs the function now, unless a run is in progress; resolves when that run ends. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs a timer function on its NCRONTAB schedule. Like the Functions host, it never starts a run
 * while the previous one is still going.
 */
export function startTimer(job: TimerJob, listener: HostLogListener): RunningTimer {
  const schedule = parseSchedule(job.schedule);
  let running: Promise<void> | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = (isPastDue: boolean): Promise<void> => {
    if (running) return running;
    const context = createContext(job.functionName, listener);
    const timer: Timer = {
      isPastDue,
      schedule: { adjustForDST: false },
      scheduleStatus: undefined as never,
    };
    running = (async () => {
      try {
        await job.handler(timer, context);
      } catch (error) {
        context.error('Function failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  // Node fires a timer longer than about 24.8 days at once, so far-off runs wait in hops.
  const maxTimerMs = 24 * 60 * 60 * 1000;
  const wait = (due: Date) => {
    if (stopped) return;
    const remaining = due.getTime() - Date.now();
    if (remaining > maxTimerMs) {
      timeout = setTimeout(() => wait(due), maxTimerMs);
      return;
    }
    timeout = setTimeout(() => {
      void run(false).finally(arm);
    }, remaining);
  };
  const arm = () => wait(schedule.next(new Date()));
  arm();

  return {
    functionName: job.functionName,
    runNow: () => run(false),
    async stop() {
      stopped = true;
      if (timeout) clearTimeout(timeout);
      await running;
    },
  };
}
