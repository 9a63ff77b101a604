import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyCarrierError } from '../../src/carriers/send-policy.js';
import { retryAfterMs, TwilioCarrier } from '../../src/carriers/twilio.js';
import { CarrierError, type OutboundRequest } from '../../src/carriers/types.js';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.js';

let fake: FakeTwilio;
let carrier: TwilioCarrier;

beforeAll(async () => {
  fake = await startFakeTwilio();
  carrier = new TwilioCarrier({ accountSid: fake.accountSid, authToken: fake.authToken, apiBaseUrl: fake.url });
});
afterAll(async () => {
  await fake?.close();
});

function request(to: string, overrides: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    messageKey: `key-${to}`,
    to,
    body: 'Acme: 20% off today. Reply STOP to opt out.',
    sender: { type: 'number', from: '+14155550199', numberKind: 'long_code' },
    statusCallbackUrl: 'https://consentline.example/webhooks/twilio/status',
    ...overrides,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<CarrierError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CarrierError);
  return err as CarrierError;
}

describe('TwilioCarrier against a local fake of the Messages API', () => {
  it('sends To, From, Body and StatusCallback for a number sender', async () => {
    const sent = await carrier.send(request('+13055550101'));
    const [create] = fake.creates('+13055550101');
    expect(create?.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(Object.fromEntries(create!.form)).toEqual({
      To: '+13055550101',
      From: '+14155550199',
      Body: 'Acme: 20% off today. Reply STOP to opt out.',
      StatusCallback: 'https://consentline.example/webhooks/twilio/status',
    });
    expect(sent.providerSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');
    expect(sent.errorCode).toBeNull();
    expect(sent.createdAt).toBeInstanceOf(Date);
  });

  it('sends MessagingServiceSid and no From for a Messaging Service sender', async () => {
    const sent = await carrier.send(request('+13055550102', { sender: { type: 'messaging_service', messagingServiceSid: 'MG00000000000000000000000000000001' } }));
    const form = fake.creates('+13055550102')[0]!.form;
    expect(form.get('MessagingServiceSid')).toBe('MG00000000000000000000000000000001');
    expect(form.has('From')).toBe(false);
    expect(sent.status).toBe('accepted');
  });

  it('fetches by SID and answers null for an unknown SID', async () => {
    const sent = await carrier.send(request('+13055550103'));
    const fetched = await carrier.fetch(sent.providerSid);
    expect(fetched).toMatchObject({ providerSid: sent.providerSid, to: '+13055550103', status: 'queued' });
    expect(await carrier.fetch('SM0123456789abcdef0123456789abcdef')).toBeNull();
  });

  it('finds a sent message by recipient, sender, body and time, and nothing for another body', async () => {
    const since = new Date(Date.now() - 1000);
    const sent = await carrier.send(request('+13055550104'));
    const found = await carrier.findSent({ to: '+13055550104', sender: request('x').sender, body: request('x').body, since });
    expect(found?.providerSid).toBe(sent.providerSid);
    const list = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json')).at(-1)!;
    expect(list.query.get('To')).toBe('+13055550104');
    expect(list.query.get('From')).toBe('+14155550199');
    expect(await carrier.findSent({ to: '+13055550104', sender: request('x').sender, body: 'another text', since })).toBeNull();
    const otherSender = { type: 'number', from: '+14155550100', numberKind: 'long_code' } as const;
    expect(await carrier.findSent({ to: '+13055550104', sender: otherSender, body: request('x').body, since })).toBeNull();
  });

  it.each([
    ['21610', 400, 'opted_out'],
    ['21211', 400, 'rejected'],
    ['21614', 400, 'rejected'],
    ['21408', 400, 'rejected'],
    ['30004', 400, 'rejected'],
    ['30005', 400, 'rejected'],
    ['30006', 400, 'rejected'],
    ['30007', 400, 'rejected'],
    ['20429', 429, 'rate_limited'],
    ['30003', 400, 'transient'],
    ['30008', 400, 'transient'],
    ['20500', 500, 'transient'],
    ['20503', 503, 'transient'],
  ] as const)('maps Twilio error %s (HTTP %i) to a CarrierError classed %s', async (code, status, expected) => {
    const to = `+1305555${code.slice(-4)}`;
    fake.failNext(to, { code: Number(code), status, retryAfterSeconds: status === 429 ? 7 : undefined });
    const err = await failureOf(carrier.send(request(to)));
    expect(err.code).toBe(code);
    expect(err.httpStatus).toBe(status);
    expect(err.retryAfterMs).toBe(status === 429 ? 7000 : null);
    expect(classifyCarrierError(err.code, err.httpStatus)).toBe(expected);
  });

  it('reports an unreachable carrier as a network error with no HTTP status', async () => {
    const down = new TwilioCarrier({ accountSid: fake.accountSid, authToken: fake.authToken, apiBaseUrl: 'http://127.0.0.1:9' });
    const err = await failureOf(down.send(request('+13055550105')));
    expect(err.code).toBe('network');
    expect(err.httpStatus).toBeNull();
    expect(classifyCarrierError(err.code, err.httpStatus)).toBe('transient');
  });

  it('reports bad credentials as HTTP 401 code 20003', async () => {
    const wrong = new TwilioCarrier({ accountSid: fake.accountSid, authToken: 'not-the-token', apiBaseUrl: fake.url });
    const err = await failureOf(wrong.send(request('+13055550106')));
    expect([err.code, err.httpStatus]).toEqual(['20003', 401]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 12:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(retryAfterMs({}, now)).toBeNull();
  });
});
