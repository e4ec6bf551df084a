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
      const text = typeof first === 'string' ? first : JSON.stringify(first);
      const parsed = splitStructuredLine(text);
      const fields =
        second !== null && typeof second === 'object'
          ? (second as Record<string, unknown>)
          : parsed.fields;
      listener({
        time: new Date(),
        level: level as LogLevel,
        functionName,
        invocationId,
        message: parsed.message,
        fields,
      });
    },
  });
}

/** Splits a `message {json fields}` line, as `shared/logging.ts` writes it, into its two parts. */
export function splitStructuredLine(text: string): {
  message: string;
  fields?: Record<string, unknown>;
} {
  const start = text.indexOf(' {');
  if (start < 0 || !text.endsWith('}')) return { message: text };
  try {
    const fields = JSON.parse(text.slice(start + 1)) as unknown;
    if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
      return { message: text.slice(0, start), fields: fields as Record<string, unknown> };
    }
  } catch {
    // Not structured after all; keep the whole line as the message.
  }
  return { message: text };
}
