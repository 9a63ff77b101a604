// npm run demo: drives the RUNNING engine (npm start) the way a marketer
// would, and narrates it: a program, the shared subscriber CSV imported with
// every refused row explained, a three-step drip in each subscriber's own time
// zone with its holds, replies from simulated handsets, Twilio-shaped webhooks
// with valid signatures, a material privacy-policy change, and a summary that
// names workflow IDs to look up in the Temporal UI.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import twilio from 'twilio';
import { WEBHOOK_PATHS } from '../src/carriers/webhook-paths.js';
import { loadConfig, type Config } from '../src/config.js';
import { createDb, type Db } from '../src/db/client.js';
import { createApiKey } from '../src/domain/keys.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  api?: string;
  csv: string;
  inbound: string;
  waitSeconds: string;
}

type Json = Record<string, unknown>;

class DemoError extends Error {}

const say = (line = '') => process.stdout.write(`${line}\n`);
const title = (text: string) => say(`\n== ${text}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A marketer's HTTP client for the API, failing with the problem's detail. */
class Api {
  constructor(
    readonly base: string,
    private key: string,
  ) {}

  as(key: string): Api {
    return new Api(this.base, key);
  }

  async call<T = Json>(method: string, path: string, body?: unknown, extra: RequestInit = {}): Promise<T> {
    const init: RequestInit = {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...extra,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(extra.headers as Record<string, string> | undefined),
      },
    };
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : {}) as T & { detail?: string; reasons?: string[] };
    if (!res.ok) {
      throw new DemoError(`${method} ${path} → ${res.status}: ${parsed.detail ?? text}${parsed.reasons ? ` (${parsed.reasons.join('; ')})` : ''}`);
    }
    return parsed;
  }
}

/** Polls until `ok` holds, for at most `seconds`; the last value either way. */
async function waitFor<T>(seconds: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const until = Date.now() + seconds * 1000;
  let value = await probe();
  while (!ok(value) && Date.now() < until) {
    await sleep(1000);
    value = await probe();
  }
  return value;
}

async function ensureRunning(base: string): Promise<void> {
  const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
  if (!res) {
    throw new DemoError(`nothing answers at ${base}: start the engine first with \`npm start\` (or pass --api)`);
  }
  if (!res.ok) {
    throw new DemoError(`the engine at ${base} is not ready (${res.status}): ${await res.text()}`);
  }
}

async function adminKey(config: Config, db: Db): Promise<string> {
  if (config.BOOTSTRAP_ADMIN_KEY) {
    say('admin key: BOOTSTRAP_ADMIN_KEY');
    return config.BOOTSTRAP_ADMIN_KEY;
  }
  const { token, key } = await createApiKey(db, { name: `demo admin ${new Date().toISOString()}`, role: 'admin' });
  say(`admin key: created ${key.prefix}… directly in the database (as \`npm run keys\` does)`);
  return token;
}

async function createProgram(api: Api): Promise<string> {
  const program = await api.call<{ id: string }>('POST', '/v1/programs', {
    brandName: 'Harbor Coffee',
    name: 'Harbor Coffee Deals',
    description: 'Weekly coffee deals and new roasts',
    frequencyText: 'Up to 4 msgs/week',
    helpContact: 'help@harbor.example',
    termsUrl: 'https://harbor.example/sms-terms',
    termsVersion: '2026-09',
    privacyUrl: 'https://harbor.example/privacy',
    privacyVersion: '2026-09',
    sender: { type: 'simulated' },
    // The simulator can take more than a real long code's pace; the import's welcome texts go faster.
    messagesPerSecond: 50,
    allowedCountries: ['US', 'CA', 'GB', 'AU'],
    languages: ['en', 'es', 'fr'],
    keywords: { join: ['COFFEE'] },
  });
  say(`program ${program.id} (US, CA, GB, AU; en/es/fr; double opt-in for new sign-ups)`);
  return program.id;
}

interface ImportJob {
  id: string;
  status: string;
  counts: { total: number; imported: number; rejected: number; duplicates: number };
}

async function importCsv(api: Api, programId: string, csv: string, waitSeconds: number): Promise<{ job: ImportJob; refused: Map<number, string> }> {
  const started = Date.now();
  const accepted = await api.call<ImportJob>('POST', `/v1/programs/${programId}/imports`, undefined, {
    headers: { 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(csv)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  say(`import ${accepted.id}: ${accepted.counts.total} rows read and checked; opting in the good ones through their lifecycles…`);
  const job = await waitFor(
    waitSeconds,
    () => api.call<ImportJob>('GET', `/v1/imports/${accepted.id}`),
    (j) => j.status !== 'running',
  );
  const c = job.counts;
  say(`import ${job.status}: ${c.total} rows → ${c.imported} imported, ${c.rejected} refused, ${c.duplicates} duplicate(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (job.status === 'running') {
    say('  (still running: the demo goes on; the Temporal UI shows the import workflow)');
  }
  const refused = new Map<number, string>();
  let cursor: string | null = null;
  do {
    const page: { items: { row: number; reason: string }[]; nextCursor: string | null } = await api.call(
      'GET',
      `/v1/imports/${job.id}/errors?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const e of page.items) {
      refused.set(e.row, e.reason);
      say(`  row ${String(e.row).padStart(5)}  ${e.reason}`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { job, refused };
}

interface CampaignProgress {
  id: string;
  status: string;
  run: { status: string; steps: { status: string; dueAt: string | null; signalled: number }[] } | null;
  texts: { byStatus: Record<string, number>; reasons: Record<string, number> };
  holds: { sampledLifecycles: number; byRule: Record<string, number> };
}

async function runDrip(api: Api, programId: string, waitSeconds: number): Promise<CampaignProgress> {
  const contact = 'Help: help@harbor.example.';
  const campaign = await api.call<{ id: string; workflowId: string }>('POST', `/v1/programs/${programId}/campaigns`, {
    name: 'Winter welcome drip',
    // Each text names the brand, the sender's contact (CASL) and how to opt out: the campaign lint checks all three.
    steps: [
      { body: '{{brand}}: welcome! Your first coffee is on us with code {{code}}. {{contact}} Reply STOP to cancel.', variables: { code: 'WARM1', contact } },
      { body: '{{brand}}: our winter roast is back. Show this text for 10% off. {{contact}} Reply STOP to cancel.', delay: 'PT30S', variables: { contact } },
      { body: '{{brand}}: good morning! Fresh pastries until noon today. {{contact}} Reply STOP to cancel.', delay: 'PT30S', atLocalTime: '09:30', variables: { contact } },
    ],
  });
  await api.call('POST', `/v1/campaigns/${campaign.id}/start`);
  say(`campaign ${campaign.id} started (workflow ${campaign.workflowId ?? `campaign-${campaign.id}`}):`);
  say('  step 1 now, step 2 30 s later, step 3 at 09:30 in each subscriber\'s own time zone');
  const progress = await waitFor(
    waitSeconds,
    () => api.call<CampaignProgress>('GET', `/v1/campaigns/${campaign.id}`),
    (p) => p.run?.steps.every((s) => s.status === 'done') ?? false,
  );
  for (const [i, s] of (progress.run?.steps ?? []).entries()) {
    say(`  step ${i + 1}: ${s.status}, due ${s.dueAt ?? '-'}, ${s.signalled} lifecycles told`);
  }
  say(`  texts by status: ${fmt(progress.texts.byStatus)}`);
  say(`  skipped/failed because: ${fmt(progress.texts.reasons)}`);
  say(`  held now (sample of ${progress.holds.sampledLifecycles} lifecycles), by rule: ${fmt(progress.holds.byRule)}`);
  return progress;
}

function fmt(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}

interface Handsets {
  yes: string;
  stop: string;
  help: string;
  plain: string;
}

/** Numbers for the replies: a new double opt-in for Y, and three imported subscribers. */
function pickHandsets(csv: string, refused: Map<number, string>): Omit<Handsets, 'yes'> {
  const rows = parse(readFileSync(csv), { columns: true, skip_empty_lines: true }) as { phone: string; country: string }[];
  const imported = rows.map((r, i) => ({ ...r, row: i + 2 })).filter((r) => !refused.has(r.row) && r.country === 'US');
  const [stop, help, plain] = imported.map((r) => r.phone);
  if (!stop || !help || !plain) {
    throw new DemoError('the CSV has fewer than three importable US rows to reply from');
  }
  return { stop, help, plain };
}

async function simulateReplies(api: Api, programId: string, picked: Omit<Handsets, 'yes'>, waitSeconds: number): Promise<Handsets> {
  const yes = '+13125550187';
  const signUp = {
    phone: yes,
    source: 'web_form',
    consentType: 'express_written',
    consentAt: new Date(Date.now() - 60_000).toISOString(),
    disclosureVersion: '2026-09',
    ip: '203.0.113.50',
    userAgent: 'Mozilla/5.0 (demo)',
    pageUrl: 'https://harbor.example/sms-signup',
  };
  // A busy engine may answer 503 (stored, not yet confirmed): retry with the same Idempotency-Key, as the API asks.
  const idempotency = { headers: { 'idempotency-key': `demo-sign-up-${programId}` } };
  const optIn = await waitFor(
    waitSeconds,
    () => api.call<{ state: string }>('POST', `/v1/programs/${programId}/subscribers`, signUp, idempotency).catch((err: unknown) => {
      if (err instanceof DemoError && err.message.includes('→ 503')) {
        return null;
      }
      throw err;
    }),
    (r) => r !== null,
  );
  if (!optIn) {
    throw new DemoError(`the lifecycle of the new sign-up did not answer within ${waitSeconds} s`);
  }
  say(`new web sign-up ${mask(yes)} → ${optIn.state} (a confirmation request was texted)`);
  const handsets: Handsets = { yes, ...picked };
  for (const [from, body] of [
    [handsets.yes, 'Y'],
    [handsets.stop, 'STOP'],
    [handsets.help, 'HELP'],
    [handsets.plain, 'please stop texting me'],
  ] as const) {
    const res = await fetch(`${api.base}/sim/reply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, body }) });
    say(`  ${mask(from)} replies "${body}" → simulated carrier ${res.status}`);
  }
  return handsets;
}

/** Replies reach each lifecycle behind whatever it is sending: wait (bounded) until they took effect. */
async function awaitReplies(db: Db, programId: string, handsets: Handsets, waitSeconds: number): Promise<void> {
  const expected: [string, string][] = [
    [handsets.yes, 'active'],
    [handsets.stop, 'opted_out'],
    [handsets.plain, 'opted_out'],
  ];
  const states = () =>
    Promise.all(expected.map(async ([e164]) => (await db.subscriber.findFirst({ where: { programId, phoneE164: e164 }, select: { consentState: true } }))?.consentState));
  const now = await waitFor(waitSeconds, states, (got) => got.every((state, i) => state === expected[i]?.[1]));
  for (const [i, [e164, want]] of expected.entries()) {
    say(`  ${mask(e164)} is now ${now[i] ?? 'unknown'}${now[i] === want ? '' : ` (expected ${want}; still queued behind its sends)`}`);
  }
}

function mask(e164: string): string {
  return `${e164.slice(0, 2)}…${e164.slice(-4)}`;
}

async function replayTwilioWebhooks(config: Config, base: string, jsonl: string): Promise<void> {
  const secretFile = join(config.DATA_DIR, 'simulator-secret');
  const secret = config.TWILIO_AUTH_TOKEN ?? (existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : null);
  if (!secret) {
    say(`skipped: no TWILIO_AUTH_TOKEN and no ${secretFile} to sign with (is the engine using another DATA_DIR?)`);
    return;
  }
  for (const line of readFileSync(jsonl, 'utf8').split('\n').filter((l) => l.trim())) {
    const entry = JSON.parse(line) as { kind: string; note: string; form: Record<string, string> };
    const path = entry.kind === 'status' ? WEBHOOK_PATHS.status : WEBHOOK_PATHS.inbound;
    // Signed for the URL Twilio would call: the engine's public base URL.
    const url = `${config.publicBaseUrl}${path}`;
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(secret, url, entry.form) },
      body: new URLSearchParams(entry.form).toString(),
    });
    say(`  ${entry.kind.padEnd(7)} ${entry.note.padEnd(48)} → ${res.status}`);
  }
}

async function changePrivacy(api: Api, db: Db, programId: string, waitSeconds: number): Promise<void> {
  const change = await api.call<{ id: string; workflowId: string }>('POST', `/v1/programs/${programId}/policy-changes`, {
    policy: 'privacy',
    version: '2026-12',
    url: 'https://harbor.example/privacy-2026-12',
    material: true,
  });
  say(`privacy policy 2026-12 (material) published: change ${change.id}, workflow ${change.workflowId}`);
  const status = await waitFor(
    waitSeconds,
    () => api.call<{ progress: { status: string; signalled: number } | null; subscribers: Record<string, number> }>('GET', `/v1/policy-changes/${change.id}`),
    (s) => s.progress?.status === 'completed',
  );
  say(`  lifecycles told: ${status.progress?.signalled ?? 0} (${status.progress?.status ?? 'no answer'})`);
  const prompts = await waitFor(
    30,
    () => db.outboundMessage.count({ where: { programId, kind: 'reconsent' } }),
    (n) => n >= (status.progress?.signalled ?? 0) * 0.9,
  );
  say(`  subscribers by state now: ${fmt(status.subscribers)}`);
  say(`  re-consent prompts queued or sent: ${prompts}`);
}

async function summary(db: Db, programId: string, handsets: Handsets, phoneOf: (e164: string) => Promise<string | null>): Promise<void> {
  const states = await db.subscriber.groupBy({ by: ['consentState'], where: { programId }, _count: { _all: true } });
  say(`subscribers by state: ${fmt(Object.fromEntries(states.map((s) => [s.consentState, s._count._all])))}`);
  const texts = await db.outboundMessage.groupBy({ by: ['status'], where: { programId }, _count: { _all: true } });
  say(`texts by status: ${fmt(Object.fromEntries(texts.map((t) => [t.status, t._count._all])))}`);
  const reasons = await db.outboundMessage.groupBy({ by: ['errorReason'], where: { programId, errorReason: { not: null } }, _count: { _all: true } });
  say(`texts held back or skipped, by rule: ${fmt(Object.fromEntries(reasons.map((r) => [r.errorReason ?? '', r._count._all])))}`);
  for (const [label, e164] of [
    ['replied Y to the confirmation', handsets.yes],
    ['imported, then replied STOP', handsets.stop],
    ['imported, then "please stop texting me"', handsets.plain],
  ] as const) {
    const id = await phoneOf(e164);
    const sub = id ? await db.subscriber.findUnique({ where: { id } }) : null;
    if (!sub) {
      say(`  ${mask(e164)}: not found`);
      continue;
    }
    const events = await db.consentEvent.findMany({ where: { subscriberId: sub.id }, orderBy: { seq: 'asc' }, select: { type: true } });
    say(`  ${mask(e164)} (${label}) now ${sub.consentState}`);
    say(`    ledger: ${events.map((e) => e.type).join(' → ')}`);
    say(`    Temporal UI workflow ID: ${sub.workflowId}`);
  }
}

async function main(options: Options): Promise<void> {
  const config = loadConfig();
  const base = (options.api ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
  const waitSeconds = Number(options.waitSeconds);
  title(`consentline demo against ${base}`);
  await ensureRunning(base);
  const db = createDb(config.databaseUrl);
  try {
    const admin = new Api(base, await adminKey(config, db));
    const marketerKey = await admin.call<{ key: string }>('POST', '/v1/keys', { name: 'demo marketer', role: 'marketer' });
    const api = admin.as(marketerKey.key);

    title('1. A program');
    const programId = await createProgram(api);

    title(`2. Import ${options.csv}`);
    const { refused } = await importCsv(api, programId, options.csv, waitSeconds * 4);

    title('3. A three-step drip in each subscriber\'s own time zone');
    await runDrip(api, programId, waitSeconds);

    title('4. Subscribers reply from their phones (simulated carrier)');
    const handsets = await simulateReplies(api, programId, pickHandsets(options.csv, refused), waitSeconds);

    await awaitReplies(db, programId, handsets, waitSeconds);

    title(`5. Twilio-shaped webhooks from ${options.inbound}, signed`);
    await replayTwilioWebhooks(config, base, options.inbound);

    title('6. A material privacy-policy change');
    await changePrivacy(api, db, programId, waitSeconds);

    title('7. Summary');
    const subscriberOf = async (e164: string) =>
      (await db.subscriber.findFirst({ where: { programId, phoneE164: e164 }, select: { id: true } }))?.id ?? null;
    await summary(db, programId, handsets, subscriberOf);
    say(`\nTemporal UI: http://localhost:${config.TEMPORAL_UI_PORT} (search ConsentlineProgram="${programId}")`);
  } finally {
    await db.$disconnect();
  }
}

await new Command()
  .name('npm run demo --')
  .description('Drive the running consentline engine through a marketer\'s day')
  .option('--api <url>', 'API base URL (default: http://localhost:$PORT)')
  .option('--csv <file>', 'subscriber CSV to import', resolve(root, '../shared/data/subscribers-import.csv'))
  .option('--inbound <file>', 'Twilio-shaped webhook bodies (JSON lines)', resolve(root, '../shared/data/twilio-inbound.jsonl'))
  .option('--wait-seconds <n>', 'longest wait for each asynchronous step', '180')
  .action(async (options: Options) => {
    try {
      await main(options);
    } catch (err) {
      if (err instanceof DemoError) {
        process.stderr.write(`demo: ${err.message}\n`);
        process.exitCode = 1;
        return;
      }
      throw err;
    }
  })
  .parseAsync();
