/**
 * A small structured logger. Each entry is a message plus flat fields (flow, documentKey,
 * messageId, attempt, correlationId, code...), written as one line so log queries can parse it.
 * Callers must not put secrets or payload bodies into fields.
 */

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** The logging methods of an Azure Functions `InvocationContext`. */
export interface LogContext {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Converts values that JSON.stringify would drop or mangle (errors, bigints) into plain data. */
function replaceValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined
      ? { name: value.name, message: value.message }
      : { name: value.name, code, message: value.message };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Serialises fields as JSON; a value that cannot be serialised (a cycle) is reported, not thrown. */
export function formatFields(fields: LogFields | undefined): string {
  if (fields === undefined || Object.keys(fields).length === 0) return '';
  try {
    return JSON.stringify(fields, replaceValue);
  } catch (error) {
    return JSON.stringify({ logFieldsError: error instanceof Error ? error.message : 'unknown' });
  }
}

function formatLine(message: string, fields: LogFields | undefined): string {
  const json = formatFields(fields);
  return json === '' ? message : `${message} ${json}`;
}

/**
 * Wraps a Functions invocation context. Each entry becomes one trace line `message {json fields}`,
 * which Application Insights stores as the trace message.
 */
export function loggerFrom(context: LogContext): Logger {
  return {
    info: (message, fields) => context.log(formatLine(message, fields)),
    warn: (message, fields) => context.warn(formatLine(message, fields)),
    error: (message, fields) => context.error(formatLine(message, fields)),
  };
}

function writeJsonLine(
  stream: NodeJS.WriteStream,
  level: string,
  message: string,
  fields?: LogFields,
) {
  const entry = { time: new Date().toISOString(), level, message, ...fields };
  let line: string;
  try {
    line = JSON.stringify(entry, replaceValue);
  } catch {
    line = JSON.stringify({ time: entry.time, level, message, logFieldsError: 'not serialisable' });
  }
  stream.write(`${line}\n`);
}

/** Writes one JSON object per line: info to stdout, warnings and errors to stderr. */
export const consoleLogger: Logger = {
  info: (message, fields) => writeJsonLine(process.stdout, 'info', message, fields),
  warn: (message, fields) => writeJsonLine(process.stderr, 'warn', message, fields),
  error: (message, fields) => writeJsonLine(process.stderr, 'error', message, fields),
};

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Returns a logger that adds `fields` to every entry; fields given per entry take precedence. */
export function withFields(log: Logger, fields: LogFields): Logger {
  return {
    info: (message, extra) => log.info(message, { ...fields, ...extra }),
    warn: (message, extra) => log.warn(message, { ...fields, ...extra }),
    error: (message, extra) => log.error(message, { ...fields, ...extra }),
  };
}
