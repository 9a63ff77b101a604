// Every vector of twilio-signatures.json through the signature guard the
// webhook router uses, over real HTTP: an express app on a random port with
// the same body parsers, configured with the vector's public base URL.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTwilioSignature, webhookBodyParsers } from '../../src/api/twilio-signature.js';

interface Vector {
  id: string;
  url: string;
  params?: 'default' | Record<string, string | string[]>;
  jsonBody?: string;
  signature: string | null;
}
const file = fileURLToPath(new URL('../../../shared/data/twilio-signatures.json', import.meta.url));
const vectors = JSON.parse(readFileSync(file, 'utf8')) as { authToken: string; defaultParams: Record<string, string>; valid: Vector[]; invalid: Vector[] };

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** An app whose public base URL is `publicBase`; accepted requests answer 204. */
async function appFor(publicBase: string): Promise<string> {
  const app = express();
  app.post(/.*/, ...webhookBodyParsers(), requireTwilioSignature({ secret: vectors.authToken, signedUrl: (req) => `${publicBase}${req.originalUrl}` }), (_req, res) => {
    res.status(204).end();
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function formBody(params: Vector['params'], reverseArrays = false): string {
  const values = params === 'default' || params === undefined ? vectors.defaultParams : params;
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? (reverseArrays ? [...value].reverse() : value) : [value]) {
      body.append(name, v);
    }
  }
  return body.toString();
}

/** Sends the vector as Twilio would to the app configured with `publicBase`. */
async function deliver(v: Vector, publicBase: string, extraHeaders: Record<string, string> = {}, reverseArrays = false): Promise<number> {
  const origin = await appFor(publicBase);
  const url = new URL(v.url);
  const res = await fetch(`${origin}${url.pathname}${url.search}`, {
    method: 'POST',
    headers: {
      'content-type': v.jsonBody !== undefined ? 'application/json' : 'application/x-www-form-urlencoded',
      ...(v.signature ? { 'x-twilio-signature': v.signature } : {}),
      ...extraHeaders,
    },
    body: v.jsonBody ?? formBody(v.params, reverseArrays),
  });
  return res.status;
}

/** scheme://[user[:pass]@]host[:port] exactly as the vector wrote it. */
function publicBaseOf(url: string): string {
  return url.slice(0, url.indexOf('/', url.indexOf('//') + 2));
}

describe('X-Twilio-Signature vectors through the webhook signature guard', () => {
  it.each(vectors.valid.map((v) => [v.id, v] as const))('accepts valid vector %s', async (_id, v) => {
    expect(await deliver(v, publicBaseOf(v.url))).toBe(204);
  });

  it.each(vectors.invalid.map((v) => [v.id, v] as const))('refuses invalid vector %s with 403', async (_id, v) => {
    expect(await deliver(v, publicBaseOf(v.url))).toBe(403);
  });

  it('accepts D and P when the public URL is configured without :443, and G (port 1234) with signature A', async () => {
    const d = vectors.valid.find((v) => v.id === 'D')!;
    const p = vectors.valid.find((v) => v.id === 'P')!;
    const a = vectors.valid.find((v) => v.id === 'A')!;
    expect(await deliver(d, 'https://mycompany.com')).toBe(204);
    expect(await deliver(p, 'https://mycompany.com')).toBe(204);
    expect(await deliver(a, 'https://mycompany.com:1234')).toBe(204);
  });

  it('accepts vector L with its repeated parameter in either order', async () => {
    const l = vectors.valid.find((v) => v.id === 'L')!;
    expect(await deliver(l, 'https://mycompany.com', {}, true)).toBe(204);
  });

  it('refuses a valid signature presented for another public host, and a tampered JSON body', async () => {
    const a = vectors.valid.find((v) => v.id === 'A')!;
    const n = vectors.valid.find((v) => v.id === 'N')!;
    expect(await deliver(a, 'https://evil.example')).toBe(403);
    expect(await deliver({ ...n, jsonBody: '{"property": "value", "boolean": false}' }, 'https://mycompany.com')).toBe(403);
  });

  it('checks SharedKey webhooks with HMAC-SHA256 when the settings header says so', async () => {
    const sms = vectors.valid.find((v) => v.id === 'sms-inbound')!;
    const sha256 = { ...sms, signature: 'gLSlc9LlZgDejZw+Gy25NLNfx6VR8WZUyDwwvPCNsLA=' };
    const settings = { 'x-twilio-webhooks-signature-settings': 'key=carrier-test,algorithm=HMAC_SHA256' };
    expect(await deliver(sha256, 'https://example.com', settings)).toBe(204);
    expect(await deliver(sha256, 'https://example.com')).toBe(403);
    expect(await deliver(sms, 'https://example.com', settings)).toBe(403);
  });
});
