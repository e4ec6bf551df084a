import { TransientError } from '../errors';

interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
}

/** Matches `RestError` from the Azure SDKs by shape, since each SDK may bundle its own copy. */
function asRestError(error: unknown): RestErrorLike | undefined {
  if (error instanceof Error && error.name === 'RestError') return error;
  return undefined;
}

/** HTTP status of an Azure SDK error, or undefined when there is none (no response, other error). */
export function statusOf(error: unknown): number | undefined {
  const status = asRestError(error)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Classifies an Azure Storage SDK error for `operation` (such as "update DocumentLedger row").
 * 409 and 412 are key or ETag conflicts, which a retry resolves by reading again; 408, 429, 5xx and
 * errors without a response are transient. Anything else (400, 403, 404, programming errors) is
 * returned unchanged because a retry cannot fix it.
 */
export function classifyStorageError(error: unknown, operation: string): unknown {
  const restError = asRestError(error);
  if (restError === undefined) return error;
  const status = restError.statusCode;
  const options = { cause: error, details: { status } };
  if (status === 409 || status === 412) {
    return new TransientError(
      'CONFLICT',
      `${operation} failed: another writer changed or created the row first (HTTP ${status}); read it again and retry`,
      options,
    );
  }
  if (status === 429) {
    return new TransientError(
      'THROTTLED',
      `${operation} failed: storage throttled the request (HTTP 429)`,
      options,
    );
  }
  if (status === 408 || (status !== undefined && status >= 500)) {
    return new TransientError(
      'SERVER_ERROR',
      `${operation} failed: storage returned HTTP ${status}`,
      options,
    );
  }
  if (status === undefined) {
    return new TransientError('NETWORK', `${operation} failed: ${restError.message}`, {
      cause: error,
    });
  }
  return error;
}
