import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenIssuer } from './auth';
import { BcApiError } from './errors';
import { Faults } from './faults';
import { RequestLimits } from './limits';
import type { ApiContext } from './routes';
import type { DefaultQuantityToShip } from './salesPosting';
import { type SandboxStats, createRequestListener } from './server';
import { BcStore } from './store';

export { BcStore, type Snapshot } from './store';
export { Faults, type FailureRule } from './faults';
export type { SandboxStats } from './server';
export { ZERO_GUID, BLANK_DATE } from './entities';

export interface BcSandboxOptions {
  tenantId: string;
  environment: string;
  companyId: string;
  clientId: string;
  clientSecret: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Requests processed at once (default 5). */
  maxConcurrent?: number;
  /** Requests that may wait for a slot before BC returns 429 (default 95). */
  queueLimit?: number;
  /** Requests allowed per sliding window (default 6000). */
  maxRequestsPerWindow?: number;
  /** Length of the rate window in milliseconds (default 300000, 5 minutes). */
  windowMs?: number;
  /** Max and default page size (default 20000). */
  maxPageSize?: number;
  /** Time a request may wait in the queue before 503, in milliseconds (default 480000). */
  queueTimeoutMs?: number;
  /** Scope the token endpoint requires (default BC's `.default` scope). */
  scope?: string;
  /** Lifetime of issued tokens in seconds (default 3599). */
  tokenLifetimeSeconds?: number;
  companyName?: string;
  /** Quantity to ship that a line gets after posting (default 'remainder', as in BC). */
  defaultQuantityToShip?: DefaultQuantityToShip;
  /** Clock for `lastModifiedDateTime` and document dates (default: system clock). */
  now?: () => Date;
}

export interface BcSandbox {
  /** Value for BC_API_BASE_URL, e.g. `http://127.0.0.1:PORT/v2.0`. */
  apiBaseUrl: string;
  /** Value for BC_AUTHORITY_HOST; tokens come from `${authorityHost}/${tenant}/oauth2/v2.0/token`. */
  authorityHost: string;
  /** `${apiBaseUrl}/${tenant}/${environment}/api/v2.0/companies(${companyId})`. */
  companyUrl: string;
  /** Token URL for the sandbox's tenant. */
  tokenUrl: string;
  /** Scope the token endpoint accepts. */
  scope: string;
  store: BcStore;
  faults: Faults;
  stats(): SandboxStats;
  resetStats(): void;
  /** Invalidates all issued tokens, so that the next API call gets 401. */
  revokeTokens(): void;
  stop(): Promise<void>;
}

export const BC_SCOPE = 'https://api.businesscentral.dynamics.com/.default';

/** Starts the Business Central API v2.0 sandbox on 127.0.0.1. */
export async function startBcSandbox(options: BcSandboxOptions): Promise<BcSandbox> {
  const scope = options.scope ?? BC_SCOPE;
  const store = new BcStore(options.now);
  const faults = new Faults();
  const limits = new RequestLimits({
    maxConcurrent: options.maxConcurrent ?? 5,
    queueLimit: options.queueLimit ?? 95,
    maxRequestsPerWindow: options.maxRequestsPerWindow ?? 6000,
    windowMs: options.windowMs ?? 300_000,
    queueTimeoutMs: options.queueTimeoutMs ?? 480_000,
  });
  const tokens = new TokenIssuer({
    tenantId: options.tenantId,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  });
  const counters = {
    requests: 0,
    tokenRequests: 0,
    byPath: new Map<string, number>(),
    byStatus: new Map<string, number>(),
  };
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let origin = '';
  let stopping: Promise<void> | undefined;

  const context = (apiRoot: string): ApiContext => ({
    store,
    apiRoot,
    company: { id: options.companyId, name: options.companyName ?? 'CRONUS USA, Inc.' },
    maxPageSize: options.maxPageSize ?? 20_000,
    defaultQuantityToShip: options.defaultQuantityToShip ?? 'remainder',
    afterShipAndInvoice: (result) => {
      const failure = faults.takePostingError(result);
      return failure ? new BcApiError(failure.status, failure.code, failure.message) : undefined;
    },
  });

  const server = createServer(
    createRequestListener({
      tenantId: options.tenantId,
      environment: options.environment,
      origin: () => origin,
      context,
      tokens,
      faults,
      limits,
      counters,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          const sleeper = { timer: setTimeout(() => done(), ms), resolve: () => done() };
          const done = (): void => {
            clearTimeout(sleeper.timer);
            sleepers.delete(sleeper);
            resolve();
          };
          sleepers.add(sleeper);
        }),
      onUnexpectedError: (error) => console.error('BC sandbox: request failed unexpectedly', error),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const apiBaseUrl = `${origin}/v2.0`;

  return {
    apiBaseUrl,
    authorityHost: origin,
    companyUrl: `${apiBaseUrl}/${options.tenantId}/${options.environment}/api/v2.0/companies(${options.companyId})`,
    tokenUrl: `${origin}/${options.tenantId}/oauth2/v2.0/token`,
    scope,
    store,
    faults,
    stats: () => ({
      requests: counters.requests,
      byPath: Object.fromEntries(counters.byPath),
      byStatus: Object.fromEntries(counters.byStatus),
      throttled: limits.throttled,
      maxConcurrentSeen: limits.maxConcurrentSeen,
      inProgress: limits.inProgress,
      queued: limits.queued,
      tokenRequests: counters.tokenRequests,
      tokensIssued: tokens.issued,
      faultsInjected: faults.injected,
    }),
    resetStats: () => {
      counters.requests = 0;
      counters.tokenRequests = 0;
      counters.byPath.clear();
      counters.byStatus.clear();
      limits.throttled = 0;
      limits.maxConcurrentSeen = limits.inProgress;
      tokens.issued = 0;
      faults.injected = 0;
    },
    revokeTokens: () => tokens.revokeAll(),
    stop: () => {
      stopping ??= (async () => {
        limits.close();
        for (const sleeper of [...sleepers]) sleeper.resolve();
        // Let the requests that were running finish writing their responses.
        for (let waited = 0; limits.inProgress > 0 && waited < 2000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return stopping;
    },
  };
}
