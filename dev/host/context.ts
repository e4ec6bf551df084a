import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

/** One log call made by a handler through its InvocationContext. */
export interface HostLogEntry {
  time: Date;
  level: LogLevel;
  functionName: string;
  invocationId: string;
  message: string;
  /** The structured fields, when the handler logged an object after the message. */
  fields?: Record<string, unknown>;
}

export type HostLogListener = (entry: HostLogEntry) => void;

/** Builds the InvocationContext the Functions host would pass, with logs sent to `listener`. */
export function createContext(
  functionName: string,
  listener: HostLogListener,
  triggerMetadata: Record<string, unknown> = {},
): InvocationContext {
  const invocationId = randomUUID();
  return new InvocationContext({
    invocationId,
    functionName,
    triggerMetadata,
    logHandler: (level, ...args: unknown[]) => {
      const [first, second] = args;
      const fields =
        second !== null && typeof second === 'object'
          ? (second as Record<string, unknown>)
          : undefined;
      listener({
        time: new Date(),
        level: level as LogLevel,
        functionName,
        invocationId,
        message: typeof first === 'string' ? first : JSON.stringify(first),
        fields,
      });
    },
  });
}
