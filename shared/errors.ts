/**
 * The connector's error hierarchy. Every error is classified once, where it is caught:
 * transient errors are retried on the backoff schedule, business errors are archived, recorded in
 * the Failures table and alerted without a retry.
 */

export type ErrorCategory = 'transient' | 'business';

/** Stable codes for business errors; dashboards and alert rules filter on these strings. */
export const BusinessCode = {
  InvalidPayload: 'INVALID_PAYLOAD',
  UnknownOrder: 'UNKNOWN_ORDER',
  UnknownItem: 'UNKNOWN_ITEM',
  UnknownLocation: 'UNKNOWN_LOCATION',
  UnmappedLocation: 'UNMAPPED_LOCATION',
  QuantityAboveOpen: 'QUANTITY_ABOVE_OPEN',
  DuplicateReference: 'DUPLICATE_REFERENCE',
  NeedsExtension: 'NEEDS_EXTENSION',
  BcRejected: 'BC_REJECTED',
  JasciRejected: 'JASCI_REJECTED',
  RetriesExhausted: 'RETRIES_EXHAUSTED',
  DeadLettered: 'DEAD_LETTERED',
  /** BC shows part of a posting the connector started; a person must check the document. */
  PostingUncertain: 'POSTING_UNCERTAIN',
} as const;
export type BusinessCode = (typeof BusinessCode)[keyof typeof BusinessCode];

/** Stable codes for transient errors. */
export const TransientCode = {
  Network: 'NETWORK',
  Timeout: 'TIMEOUT',
  Throttled: 'THROTTLED',
  ServerError: 'SERVER_ERROR',
  Auth: 'AUTH',
  Conflict: 'CONFLICT',
  Unavailable: 'UNAVAILABLE',
} as const;
export type TransientCode = (typeof TransientCode)[keyof typeof TransientCode];

export interface ConnectorErrorOptions {
  cause?: unknown;
  /** Extra facts for the failure record, such as the field or the BC error code. */
  details?: Record<string, unknown>;
}

export abstract class ConnectorError extends Error {
  abstract readonly category: ErrorCategory;
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: string,
    message: string,
    options: ConnectorErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details ?? {};
  }
}

export class TransientError extends ConnectorError {
  readonly category = 'transient' as const;
  /** Delay the remote side asked for (HTTP `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: TransientCode,
    message: string,
    options: ConnectorErrorOptions & { retryAfterMs?: number } = {},
  ) {
    super(code, message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class BusinessError extends ConnectorError {
  readonly category = 'business' as const;

  constructor(code: BusinessCode, message: string, options: ConnectorErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A missing or malformed setting; start-up stops with this message. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function isTransient(error: unknown): error is TransientError {
  return error instanceof TransientError;
}

export function isBusiness(error: unknown): error is BusinessError {
  return error instanceof BusinessError;
}
