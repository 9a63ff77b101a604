// npm run bench:import -- [--rows 100000]
// Measures the upload half of an import on synthetic rows: an in-process API on
// a fresh SQLite database receives a generated CSV as a streamed upload (never
// a file or a string in memory), and peak memory is sampled while it runs.
// Every row is well-formed but refused by the consent rules (a bought list,
// missing evidence, a country outside the program, a bad date), which
// exercises parsing, the consent checks and the batched writes without
// Temporal; the opt-in half is paced by the lifecycles (see the import tests).
// Run with NODE_OPTIONS=--max-old-space-size=128 to show the heap stays bounded.
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

/** Row i of the synthetic file: fictional 555 numbers, each refused for a different reason. */
function row(i: number): string {
  const npa = 200 + (i % 700);
  const phone = `+1${npa}555${String(i % 10_000).padStart(4, '0')}`;
  const consentAt = new Date(Date.now() - (1 + (i % 300)) * 86_400_000).toISOString();
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

function csvStream(rows: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      if (i === 0) {
        this.push(`${HEADER}\n`);
      }
      let chunk = '';
      for (let n = 0; n < 500 && i < rows; n++, i++) {
        chunk += `${row(i + 1)}\n`;
      }
      this.push(chunk.length > 0 ? chunk : null);
    },
  });
}

async function main(options: { rows: string }): Promise<void> {
  const rows = Number(options.rows);
  const config = loadConfig();
  const url = `file:${join(tmpdir(), `consentline-bench-${randomUUID()}.db`)}`;
  await migrate(url);
  const db = createDb(url);
  // No row is staged for opt-in, so Temporal is never called.
  const connection = Connection.lazy();
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
    body: Readable.toWeb(csvStream(rows)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  let job = (await res.json()) as { id: string; counts: Record<string, number>; status: string };
  const readSeconds = (performance.now() - started) / 1000;
  while (job.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    job = (await (await fetch(`${base}/v1/imports/${job.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as typeof job;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  process.stdout.write(
    [
      `rows ${rows}: HTTP ${res.status}, job ${job.status}, counts ${JSON.stringify(job.counts)}`,
      `upload read and checked in ${readSeconds.toFixed(1)} s (${(rows / readSeconds).toFixed(0)} rows/s); finished in ${seconds.toFixed(1)} s (${(rows / seconds).toFixed(0)} rows/s)`,
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
  .action(main)
  .parseAsync();
