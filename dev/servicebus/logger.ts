/** Log sink of the emulator, with the same shape as the project's Logger. */
export interface EmulatorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Default sink: warnings and errors on the console, nothing else. */
export const consoleWarnings: EmulatorLogger = {
  info: () => undefined,
  warn: (message, fields) => console.warn(`[servicebus-emulator] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`[servicebus-emulator] ${message}`, fields ?? ''),
};
