/**
 * Messages between the benchmark (`salesOrders.ts`) and the child process that runs the local
 * stack (`stack.ts`) over the Node IPC channel. The stack runs in its own process so that the
 * benchmark's peak RSS is the connector's own.
 */

/** Options of the stack, sent once as the first message. */
export interface StackStartMessage {
  type: 'start';
  orders: number;
  minLines: number;
  maxLines: number;
  seed: number;
  /** BC location code to JASCI warehouse code; every location the generator uses is mapped. */
  warehouses: Record<string, string>;
}

export interface StackStatusRequest {
  type: 'status';
}

export interface StackStopRequest {
  type: 'stop';
}

export type BenchToStackMessage = StackStartMessage | StackStatusRequest | StackStopRequest;

/** Addresses and credentials of the started stack; every endpoint is on 127.0.0.1. */
export interface StackEndpoints {
  serviceBusConnection: string;
  storageConnection: string;
  bc: {
    apiBaseUrl: string;
    authorityHost: string;
    scope: string;
    tenantId: string;
    environment: string;
    companyId: string;
    clientId: string;
    clientSecret: string;
  };
  jasci: { baseUrl: string; apiKey: string };
}

export interface StackReadyMessage {
  type: 'ready';
  endpoints: StackEndpoints;
  /** BC sales orders generated, each released. */
  bcOrders: number;
  bcLines: number;
  /** JASCI orders the connector must create: one per order and warehouse. */
  expectedJasciOrders: number;
}

export interface StackStatus {
  type: 'status';
  /** BC orders whose every JASCI order (one per warehouse) contains all of its lines. */
  bcOrdersComplete: number;
  jasciOrdersComplete: number;
  /** Up to 5 BC order numbers that are not complete yet, for the time-out message. */
  incompleteSample: string[];
  /** Receive time (epoch ms) of the latest first version among the complete JASCI orders. */
  lastReceivedAtMs: number | undefined;
  bcRequests: number;
  bcTokenRequests: number;
  /** BC API requests by method and entity set, e.g. `GET salesOrders`. */
  bcRequestsByPath: Record<string, number>;
  bcThrottled: number;
  jasciRequests: number;
  toJasciQueue: { active: number; scheduled: number; deadLetter: number };
  /** Peak RSS of the stack process in KiB. */
  maxRssKiB: number;
}

export interface StackFailedMessage {
  type: 'failed';
  message: string;
}

export type StackToBenchMessage = StackReadyMessage | StackStatus | StackFailedMessage;
