// The Twilio carrier, through the official `twilio` package. An HTTP client of
// our own sits under it: it points the package at TWILIO_API_BASE_URL when set
// (a regional gateway, a recording proxy, or a local fake in tests) and turns
// every error answer into a CarrierError that keeps the Retry-After header,
// which the package's own RestException drops.
import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message.js';
import { CARRIER_HTTP_TIMEOUT_MS } from './send-policy.js';
import { CarrierError, type Carrier, type CarrierMessage, type MessageStatus, type OutboundRequest, type SenderConfig } from './types.js';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];
type HttpResponse = Awaited<ReturnType<InstanceType<typeof twilio.RequestClient>['request']>>;

export interface TwilioCarrierOptions {
  accountSid: string;
  authToken: string;
  /** Replaces https://api.twilio.com (scheme, host and port); paths are kept. */
  apiBaseUrl?: string;
  timeoutMs?: number;
}

/** How far back reconciliation looks past `since`, for clock skew between us and the carrier. */
const RECONCILE_SKEW_MS = 2 * 60_000;
const RECONCILE_PAGE = 50;

class CarrierHttpClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: URL | null,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true, autoRetry: false });
  }

  override async request<TData>(opts: RequestOptions): Promise<HttpResponse & { body: TData }> {
    const uri = this.baseUrl ? rebase(opts.uri, this.baseUrl) : opts.uri;
    let response: HttpResponse;
    try {
      response = await super.request({ ...opts, uri });
    } catch (err) {
      // No answer: refused, reset, timed out. The carrier may or may not have acted.
      const reason = err instanceof Error ? (err as Error & { code?: string }).code ?? err.message : String(err);
      throw new CarrierError(`carrier unreachable (${reason})`, 'network', null, null);
    }
    if (response.statusCode >= 400 && !(opts.method === 'get' && response.statusCode === 404)) {
      throw carrierErrorFrom(response);
    }
    return response as HttpResponse & { body: TData };
  }
}

function rebase(uri: string, base: URL): string {
  const target = new URL(uri);
  target.protocol = base.protocol;
  target.host = base.host;
  return target.href;
}

function carrierErrorFrom(response: HttpResponse): CarrierError {
  const body = parseBody(response.body);
  const code = body?.code !== undefined ? String(body.code) : `http-${response.statusCode}`;
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.statusCode}`;
  return new CarrierError(message, code, response.statusCode, retryAfterMs(response.headers));
}

function parseBody(body: unknown): { code?: unknown; message?: unknown } | null {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { code?: unknown; message?: unknown };
    } catch {
      return null;
    }
  }
  return typeof body === 'object' && body !== null ? (body as { code?: unknown; message?: unknown }) : null;
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(headers: unknown, now: number = Date.now()): number | null {
  const raw = headers && typeof headers === 'object' ? (headers as Record<string, unknown>)['retry-after'] : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') {
    return null;
  }
  if (/^\d+$/.test(raw.trim())) {
    return Number(raw.trim()) * 1000;
  }
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export class TwilioCarrier implements Carrier {
  readonly name = 'twilio' as const;
  private readonly client: twilio.Twilio;

  constructor(options: TwilioCarrierOptions) {
    const httpClient = new CarrierHttpClient(
      options.apiBaseUrl ? new URL(options.apiBaseUrl) : null,
      options.timeoutMs ?? CARRIER_HTTP_TIMEOUT_MS,
    );
    this.client = twilio(options.accountSid, options.authToken, { httpClient });
  }

  async send(req: OutboundRequest): Promise<CarrierMessage> {
    const created = await this.client.messages.create({
      to: req.to,
      body: req.body,
      statusCallback: req.statusCallbackUrl,
      ...senderFields(req.sender),
    });
    return toCarrierMessage(created);
  }

  async fetch(providerSid: string): Promise<CarrierMessage | null> {
    try {
      return toCarrierMessage(await this.client.messages(providerSid).fetch());
    } catch (err) {
      // Our HTTP client lets a GET 404 through; the package then raises its own RestException.
      if ((err as { status?: unknown }).status === 404) {
        return null;
      }
      throw err;
    }
  }

  /**
   * Lists recent messages to the number (from the number, for a plain sender)
   * and matches sender, body and creation time here. Not filtered by DateSent:
   * a message still queued at the carrier has no send date yet.
   */
  async findSent(q: { to: string; sender: SenderConfig; body: string; since: Date }): Promise<CarrierMessage | null> {
    const from = q.sender.type === 'messaging_service' ? undefined : q.sender.from;
    const recent = await this.client.messages.list({ to: q.to, ...(from ? { from } : {}), pageSize: RECONCILE_PAGE, limit: RECONCILE_PAGE });
    const earliest = q.since.getTime() - RECONCILE_SKEW_MS;
    const match = recent
      .filter((m) => m.body === q.body && m.dateCreated.getTime() >= earliest && sentBy(m, q.sender))
      .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
    return match ? toCarrierMessage(match) : null;
  }
}

function senderFields(sender: SenderConfig): { messagingServiceSid: string } | { from: string } {
  return sender.type === 'messaging_service' ? { messagingServiceSid: sender.messagingServiceSid } : { from: sender.from };
}

function sentBy(m: MessageInstance, sender: SenderConfig): boolean {
  return sender.type === 'messaging_service' ? m.messagingServiceSid === sender.messagingServiceSid : m.from === sender.from;
}

function toCarrierMessage(m: MessageInstance): CarrierMessage {
  return {
    providerSid: m.sid,
    status: toStatus(m.status),
    errorCode: m.errorCode === null || m.errorCode === undefined || Number.isNaN(m.errorCode) ? null : String(m.errorCode),
    to: m.to,
    body: m.body,
    createdAt: m.dateCreated,
  };
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set<MessageStatus>([
  'accepted', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'received', 'canceled',
]);

/** Twilio's other statuses (scheduled, read, partially_delivered, receiving) fold into the nearest of ours. */
function toStatus(status: string): MessageStatus {
  if (KNOWN_STATUSES.has(status)) {
    return status as MessageStatus;
  }
  return status === 'read' ? 'delivered' : status === 'partially_delivered' ? 'sent' : 'accepted';
}
