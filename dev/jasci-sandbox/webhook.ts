import { setTimeout as sleep } from 'node:timers/promises';
import {
  SHARED_SECRET_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signJasciEvent,
} from '../../shared/jasci/signature';

export interface WebhookOptions {
  /** Connector endpoint, e.g. `http://127.0.0.1:7071/api/jasci/events`. */
  url: string;
  /** Signs each delivery with `X-Jasci-Signature`; takes precedence over `sharedSecret`. */
  signingSecret?: string;
  /** Sent as `X-Jasci-Shared-Secret` when there is no signing secret. */
  sharedSecret?: string;
  /** Deliveries per event before the sandbox gives up (default 4). */
  maxAttempts?: number;
  /** Wait before the second attempt, doubled for each further one (default 100 ms). */
  retryDelayMs?: number;
  /** Per-attempt timeout (default 5000 ms). */
  timeoutMs?: number;
}

/** One delivery attempt and what the connector returned. */
export interface DeliveryAttempt {
  at: string;
  status?: number;
  responseBody?: string;
  error?: string;
}

/** An event the sandbox sent, with every attempt to deliver it. */
export interface SentEvent {
  eventId?: string;
  event: string;
  body: Record<string, unknown>;
  rawBody: string;
  attempts: DeliveryAttempt[];
  delivered: boolean;
}

const MAX_RECORDED_RESPONSE_CHARS = 2000;

/** Posts events to the connector's webhook, retrying non-2xx responses and unreachable endpoints. */
export class WebhookSender {
  readonly events: SentEvent[] = [];
  private readonly closing = new AbortController();

  constructor(
    private readonly options: WebhookOptions | undefined,
    private readonly nowMs: () => number,
  ) {}

  /** Serialises `body` once and delivers that exact text; the log keeps it for redelivery. */
  async send(body: Record<string, unknown>): Promise<SentEvent> {
    const sent: SentEvent = {
      eventId: typeof body.eventId === 'string' ? body.eventId : undefined,
      event: String(body.event),
      body,
      rawBody: JSON.stringify(body),
      attempts: [],
      delivered: false,
    };
    this.events.push(sent);
    await this.deliver(sent);
    return sent;
  }

  /** Sends the same raw body again, as a sender does when it missed the first response. */
  async redeliver(eventId: string): Promise<SentEvent> {
    const sent = this.events.find((candidate) => candidate.eventId === eventId);
    if (!sent) throw new Error(`No event with eventId ${eventId} was sent by this sandbox.`);
    sent.delivered = false;
    await this.deliver(sent);
    return sent;
  }

  /** Stops pending deliveries and retry waits. */
  close(): void {
    this.closing.abort();
  }

  private async deliver(sent: SentEvent): Promise<void> {
    const options = this.options;
    if (!options) return;
    const maxAttempts = options.maxAttempts ?? 4;
    const retryDelayMs = options.retryDelayMs ?? 100;
    for (let attempt = 1; attempt <= maxAttempts && !this.closing.signal.aborted; attempt += 1) {
      if (attempt > 1) {
        const waited = await sleep(retryDelayMs * 2 ** (attempt - 2), true, {
          signal: this.closing.signal,
        }).catch(() => false);
        if (!waited) return;
      }
      const result = await this.attempt(options, sent.rawBody);
      sent.attempts.push(result);
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        sent.delivered = true;
        return;
      }
    }
  }

  private async attempt(options: WebhookOptions, rawBody: string): Promise<DeliveryAttempt> {
    const timestamp = Math.floor(this.nowMs() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (options.signingSecret) {
      headers[SIGNATURE_HEADER] = signJasciEvent(options.signingSecret, timestamp, rawBody);
    } else if (options.sharedSecret) {
      headers[SHARED_SECRET_HEADER] = options.sharedSecret;
    }
    const at = new Date().toISOString();
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers,
        body: rawBody,
        signal: AbortSignal.any([
          this.closing.signal,
          AbortSignal.timeout(options.timeoutMs ?? 5000),
        ]),
      });
      const text = await response.text();
      return {
        at,
        status: response.status,
        responseBody: text.slice(0, MAX_RECORDED_RESPONSE_CHARS),
      };
    } catch (error) {
      return { at, error: describeFetchError(error) };
    }
  }
}

/** fetch reports socket errors as `TypeError('fetch failed')` with the real reason as `cause`. */
function describeFetchError(error: unknown): string {
  // Errors from Node's fetch may come from another realm (as under jest), so check the shape.
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: { message?: unknown } };
  if (typeof cause?.message === 'string') return cause.message;
  return typeof message === 'string' ? message : String(error);
}
