import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { ServiceBusClient } from '@azure/service-bus';
import { loadSettings, resetSettings } from '../../shared/config/load';
import { closeRuntime } from '../../shared/runtime';
import { projectRoot } from '../paths';
import { resolveSettingExpression, type FunctionSpec } from '../../functions/table';
import type { HostLogListener } from './context';
import { startHttpServer, type HttpRoute } from './http';
import { startQueueTrigger } from './serviceBus';
import { startTimer, type RunningTimer } from './timers';

export type { HostLogEntry, HostLogListener } from './context';

export interface LocalHostOptions {
  functions: readonly FunctionSpec[];
  /** App settings; they are copied into `process.env`, where the app reads them, as in Azure. */
  env: Record<string, string>;
  port?: number;
  log?: HostLogListener;
  /** Parallel handler calls per queue; defaults to host.json `extensions.serviceBus.maxConcurrentCalls`. */
  maxConcurrentCalls?: number;
}

export interface LocalHost {
  baseUrl: string;
  timers: ReadonlyMap<string, RunningTimer>;
  stop(): Promise<void>;
}

function hostJsonMaxConcurrentCalls(): number {
  const host = JSON.parse(readFileSync(path.join(projectRoot(), 'host.json'), 'utf8')) as {
    extensions?: { serviceBus?: { maxConcurrentCalls?: number } };
  };
  return host.extensions?.serviceBus?.maxConcurrentCalls ?? 16;
}

/** Schedule and queue names before `%NAME%` is resolved fall back to the settings' defaults. */
function settingDefaults(env: Record<string, string>): Record<string, string> {
  const parsed = loadSettings(env);
  return {
    QUEUE_TO_JASCI: parsed.QUEUE_TO_JASCI,
    QUEUE_TO_BC: parsed.QUEUE_TO_BC,
    SALES_ORDER_POLL_SCHEDULE: parsed.SALES_ORDER_POLL_SCHEDULE,
  };
}

/**
 * Runs the app's real function handlers without the Functions host: HTTP routes on one port,
 * timers on their schedules, and queue triggers through Service Bus SDK receivers. It reads the same
 * function table that `functions/index.ts` registers with `app`.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  for (const [name, value] of Object.entries(options.env)) process.env[name] = value;
  resetSettings();
  const defaults = settingDefaults(options.env);
  const listener: HostLogListener = options.log ?? (() => undefined);
  const resolve = (expression: string) =>
    resolveSettingExpression(expression, process.env, defaults);

  const routes: HttpRoute[] = [];
  const timers = new Map<string, RunningTimer>();
  const serviceBus = new ServiceBusClient(options.env.ServiceBusConnection ?? '');
  const queueTriggers: { close(): Promise<void> }[] = [];
  const concurrency = options.maxConcurrentCalls ?? hostJsonMaxConcurrentCalls();

  for (const spec of options.functions) {
    const trigger = spec.trigger;
    if (trigger.type === 'http') {
      routes.push({
        functionName: spec.name,
        route: trigger.route,
        methods: trigger.methods,
        handler: spec.handler as HttpRoute['handler'],
      });
    } else if (trigger.type === 'timer') {
      timers.set(
        spec.name,
        startTimer(
          {
            functionName: spec.name,
            schedule: resolve(trigger.schedule),
            handler: spec.handler as never,
          },
          listener,
        ),
      );
    } else {
      queueTriggers.push(
        startQueueTrigger(
          serviceBus,
          {
            functionName: spec.name,
            queueName: resolve(trigger.queueName),
            handler: spec.handler as never,
          },
          listener,
          concurrency,
        ),
      );
    }
  }
  const { server, baseUrl } = await startHttpServer(routes, listener, options.port);

  return {
    baseUrl,
    timers,
    async stop() {
      await Promise.all([...timers.values()].map((timer) => timer.stop()));
      await closeServer(server);
      await Promise.all(queueTriggers.map((trigger) => trigger.close()));
      await serviceBus.close();
      await closeRuntime();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
