// A local stand-in for Twilio's Messages API (create, fetch, list) on
// 127.0.0.1 and a random port. It records every request, checks Basic auth,
// answers in Twilio's JSON shapes, and can be scripted per To number: fail the
// next N creates with a code, HTTP status and Retry-After, or record a create
// and hold the answer until the test releases it (to crash a worker mid-send).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  status: string;
  dateCreated: Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  at: number;
}

export interface ScriptedFailure {
  status: number;
  code: number;
  message?: string;
  retryAfterSeconds?: number;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  requests: RecordedRequest[];
  messages: FakeMessage[];
  /** Creates to `to` fail in this order, one failure per request, then succeed. */
  failNext(to: string, ...failures: ScriptedFailure[]): void;
  /** The next create to `to` is stored, then its answer waits; resolves once stored. */
  holdNext(to: string): Promise<FakeMessage>;
  creates(to?: string): RecordedRequest[];
  close(): Promise<void>;
}

function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function json(m: FakeMessage, accountSid: string): Record<string, unknown> {
  return {
    sid: m.sid,
    account_sid: accountSid,
    to: m.to,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    body: m.body,
    status: m.status,
    direction: 'outbound-api',
    num_segments: '1',
    num_media: '0',
    error_code: null,
    error_message: null,
    date_created: rfc2822(m.dateCreated),
    date_updated: rfc2822(m.dateCreated),
    date_sent: null,
    api_version: '2010-04-01',
    price: null,
    price_unit: 'USD',
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
    subresource_uris: {},
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const requests: RecordedRequest[] = [];
  const messages: FakeMessage[] = [];
  const failures = new Map<string, ScriptedFailure[]>();
  const holds = new Map<string, (m: FakeMessage) => void>();
  const held = new Set<ServerResponse>();
  const base = `/2010-04-01/Accounts/${accountSid}/Messages`;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const create = (res: ServerResponse, form: URLSearchParams) => {
    const to = form.get('To') ?? '';
    const failure = failures.get(to)?.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      send(res, failure.status, { code: failure.code, message: failure.message ?? `scripted ${failure.code}`, status: failure.status }, headers);
      return;
    }
    const msid = form.get('MessagingServiceSid');
    const m: FakeMessage = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      to,
      from: form.get('From'),
      messagingServiceSid: msid,
      body: form.get('Body') ?? '',
      statusCallback: form.get('StatusCallback'),
      status: msid ? 'accepted' : 'queued',
      dateCreated: new Date(Math.floor(Date.now() / 1000) * 1000),
    };
    messages.push(m);
    const hold = holds.get(to);
    if (hold) {
      holds.delete(to);
      held.add(res);
      hold(m);
      return;
    }
    send(res, 201, json(m, accountSid));
  };

  const list = (res: ServerResponse, query: URLSearchParams) => {
    const to = query.get('To');
    const from = query.get('From');
    const found = messages
      .filter((m) => (!to || m.to === to) && (!from || m.from === from))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())
      .slice(0, Number(query.get('PageSize') ?? 50));
    send(res, 200, {
      messages: found.map((m) => json(m, accountSid)),
      first_page_uri: `${base}.json?PageSize=50&Page=0`,
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: found.length,
      start: 0,
      end: Math.max(0, found.length - 1),
      uri: `${base}.json`,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const form = new URLSearchParams(await readBody(req));
    requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, form, at: Date.now() });
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      send(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      return;
    }
    if (req.method === 'POST' && url.pathname === `${base}.json`) {
      create(res, form);
    } else if (req.method === 'GET' && url.pathname === `${base}.json`) {
      list(res, url.searchParams);
    } else if (req.method === 'GET' && url.pathname.startsWith(`${base}/`)) {
      const sid = url.pathname.slice(base.length + 1).replace(/\.json$/, '');
      const m = messages.find((x) => x.sid === sid);
      if (m) {
        send(res, 200, json(m, accountSid));
      } else {
        send(res, 404, { code: 20404, message: 'not found', status: 404 });
      }
    } else {
      send(res, 404, { code: 20404, message: `no route ${req.method} ${url.pathname}`, status: 404 });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { code: 20500, message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    messages,
    failNext(to, ...f) {
      failures.set(to, [...(failures.get(to) ?? []), ...f]);
    },
    holdNext(to) {
      return new Promise((resolve) => holds.set(to, resolve));
    },
    creates(to) {
      return requests.filter((r) => r.method === 'POST' && (!to || r.form.get('To') === to));
    },
    async close() {
      for (const res of held) {
        res.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
