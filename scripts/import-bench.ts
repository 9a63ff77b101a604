// npm run bench:import -- [--rows 100000] [--valid-every 0]
// Measures the import pipeline on synthetic rows: an in-process API on a fresh
// SQLite database receives a generated CSV as a streamed upload (never a file
// or a string in memory), and peak memory is sampled while it runs.
//
// By default every row is well-formed but refused by the consent rules (a
// bought list, missing evidence, a country outside the program...), which
// exercises parsing, validation and the batched writes of row errors without
// Temporal. `--valid-every N` makes every Nth row a valid opt-in; those need
// the running engine's Temporal server and worker (npm start), set with
// TEMPORAL_ADDRESS and TEMPORAL_TASK_QUEUE as for the engine.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import pino from 'pino';
import { createApp } from '../src/api/app.js';
import { importRoutes } from '../src/api/routes/imports.js';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createApiKey } from '../src/domain/keys.js';
import { createProgram } from '../src/domain/programs.js';
import { createProgramBody } from '../src/api/schemas/programs.js';

const HEADER =
  'phone,country,region,zip,language,consent_source,consent_type,consent_at,disclosure_version,ip,user_agent,page_url,form_ref,birthdate,purchase_at,inquiry_at';

/** Row i of the synthetic file: fictional 555-01XX numbers, unique per row. */
function row(i: number, validEvery: number): string {
  const npa = 200 + (i % 700);
  const phone = `+1${npa}555${String(i % 10_000).padStart(4, '0')}`;
  const consentAt = new Date(Date.now() - (1 + (i % 300)) * 86_400_000).toISOString();
  if (validEvery > 0 && i % validEvery === 0) {
    return `${phone},US,,,en,web_form,express_written,${consentAt},2026-09,203.0.113.${i % 250},Mozilla/5.0 (bench),https://shop.example.com/sms-signup,,,,`;
  }
  switch (i % 4) {
    case 0:
      return `${phone},US,,,en,purchased_list,express_written,${consentAt},2026-09,,,,,,,`;
    case 1:
      return `${phone},US,,,en,web_form,express_written,${consentAt},2026-09,,,,,,,`; // no evidence
    case 2:
      return `+4915112${String(i).padStart(6, '0')},DE,,,en,api,express,${consentAt},2026-09,,,,,,,`; // country not allowed
    default:
      return `${phone},US,,,en,api,express_written,not-a-date,2026-09,,,,,,,`;
  }
}

function csvStream(rows: number, validEvery: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) {
        this.push(`${HEADER}\n`);
      }
      let chunk = '';
      for (let n = 0; n < 500 && i < rows; n++, i++) {
        chunk += `${row(i + 1, validEvery)}\n`;
      }
      this.push(chunk.length > 0 ? chunk : null);
    },
  });
}

async function main(options: { rows: string; validEvery: string }): Promise<void> {
  const rows = Number(options.rows);
  const validEvery = Number(options.validEvery);
  const config = loadConfig();
  const url = `file:${join(tmpdir(), `consentline-bench-${randomUUID()}.db`)}`;
  await migrate(url);
  const db = createDb(url);
  const connection = validEvery > 0 ? await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}` }) : Connection.lazy();
  const client = new Client({ connection });
  const deps = { db, client, taskQueue: config.TEMPORAL_TASK_QUEUE, phoneHashKey: 'bench-phone-hash-key-0123456789', now: () => new Date() };
  const app = createApp({ ...deps, config, logger: pino({ level: 'silent' }), routes: [importRoutes(deps)] });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = (await createApiKey(db, { name: 'bench', role: 'marketer' })).token;
  const program = await createProgram(db, createProgramBody.parse(benchProgram()));

  let peakRss = process.memoryUsage().rss;
  const baseline = peakRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = performance.now();
  const res = await fetch(`${base}/v1/programs/${program.id}/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(csvStream(rows, validEvery)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const job = (await res.json()) as { counts: Record<string, number>; status: string };
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  process.stdout.write(
    [
      `rows ${rows} (every ${validEvery || 'no'}th row valid): HTTP ${res.status}, job ${job.status}, counts ${JSON.stringify(job.counts)}`,
      `time ${seconds.toFixed(1)} s → ${(rows / seconds).toFixed(0)} rows/s`,
      `memory: RSS ${mb(baseline)} before, peak ${mb(peakRss)} during (+${mb(peakRss - baseline)}); the CSV itself is about ${mb(rows * 75)}`,
      '',
    ].join('\n'),
  );
  server.closeAllConnections();
  server.close();
  await db.$disconnect();
  await connection.close();
}

function benchProgram() {
  return {
    brandName: 'Bench Coffee',
    name: 'Bench Deals',
    description: 'synthetic load',
    frequencyText: 'Up to 4 msgs/week',
    helpContact: 'help@bench.example',
    termsUrl: 'https://bench.example/terms',
    termsVersion: '2026-09',
    privacyUrl: 'https://bench.example/privacy',
    privacyVersion: '2026-09',
    sender: { type: 'simulated' },
    allowedCountries: ['US'],
    languages: ['en'],
  };
}

await new Command()
  .option('--rows <n>', 'rows to import', '100000')
  .option('--valid-every <n>', 'every Nth row is a valid opt-in (needs the running engine); 0: none', '0')
  .action(main)
  .parseAsync();
