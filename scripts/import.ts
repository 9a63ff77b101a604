// npm run import -- --program <id> <file.csv>
// Uploads a subscriber CSV to the running API as a stream and shows a progress
// bar fed by the import job, then the counts and every refused row with its
// reason. The API key comes from CONSENTLINE_API_KEY.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { parse } from 'csv-parse';

interface ImportJob {
  id: string;
  status: 'running' | 'completed' | 'failed';
  counts: { total: number; imported: number; rejected: number; duplicates: number };
  error: string | null;
  createdAt: string;
}

interface Options {
  program: string;
  api: string;
  errors: string;
}

const program = new Command()
  .name('npm run import --')
  .description('Import subscribers from a CSV file into a program of the running consentline API')
  .requiredOption('--program <id>', 'program ID')
  .option('--api <url>', 'API base URL', process.env.CONSENTLINE_API_URL ?? 'http://localhost:3000')
  .option('--errors <n>', 'refused rows to print (all: 0)', '0')
  .argument('<file>', 'CSV file with a header row')
  .action(async (file: string, options: Options) => {
    process.exitCode = await run(file, options);
  });

function fail(message: string): never {
  process.stderr.write(`import: ${message}\n`);
  process.exit(2);
}

async function run(file: string, options: Options): Promise<number> {
  const key = process.env.CONSENTLINE_API_KEY ?? fail('set CONSENTLINE_API_KEY to a marketer (or admin) API key');
  await stat(file).catch(() => fail(`cannot read ${file}`));
  const api = options.api.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${key}` };
  await fetch(`${api}/healthz`).catch(() => fail(`the API at ${api} does not answer; start it with npm start`));

  const rows = await countRows(file);
  const bar = new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} rows | imported {imported} refused {refused}', hideCursor: true }, Presets.shades_classic);
  bar.start(rows, 0, { imported: 0, refused: 0 });

  const startedAt = Date.now();
  const upload = fetch(`${api}/v1/programs/${encodeURIComponent(options.program)}/imports`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const finished = { done: false };
  const poll = followJob(api, headers, options.program, startedAt, bar, finished);
  const res = await upload.finally(() => {
    finished.done = true;
  });
  await poll;
  const body = (await res.json()) as ImportJob & { detail?: string; title?: string; importId?: string };
  bar.stop();

  if (!res.ok) {
    process.stderr.write(`import refused (${res.status}): ${body.detail ?? body.title ?? 'unknown error'}\n`);
    return 1;
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const c = body.counts;
  process.stdout.write(
    `import ${body.id} ${body.status}: ${c.total} rows, ${c.imported} imported, ${c.rejected} refused, ${c.duplicates} duplicates (${seconds.toFixed(1)} s, ${(c.total / seconds).toFixed(0)} rows/s)\n`,
  );
  await printErrors(api, headers, body.id, Number(options.errors));
  return body.status === 'completed' ? 0 : 1;
}

/** Records, not lines: a quoted field may span lines. */
async function countRows(file: string): Promise<number> {
  let n = 0;
  for await (const _ of createReadStream(file).pipe(parse({ columns: true, relax_column_count: true, skip_empty_lines: true }))) {
    n += 1;
  }
  return n;
}

/** Finds the job this upload created (the newest running one of the program) and feeds the bar from it. */
async function followJob(api: string, headers: Record<string, string>, programId: string, since: number, bar: SingleBar, finished: { done: boolean }): Promise<void> {
  let jobId: string | null = null;
  while (!finished.done) {
    await new Promise((r) => setTimeout(r, 500));
    if (!jobId) {
      const list = await getJson<{ items: ImportJob[] }>(`${api}/v1/programs/${encodeURIComponent(programId)}/imports?limit=5`, headers);
      jobId = list?.items.find((j) => j.status === 'running' && Date.parse(j.createdAt) >= since - 5_000)?.id ?? null;
      continue;
    }
    const job = await getJson<ImportJob>(`${api}/v1/imports/${jobId}`, headers);
    if (job) {
      const c = job.counts;
      bar.update(c.imported + c.rejected + c.duplicates, { imported: c.imported, refused: c.rejected + c.duplicates });
    }
  }
}

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T | null> {
  const res = await fetch(url, { headers }).catch(() => null);
  return res?.ok ? ((await res.json()) as T) : null;
}

async function printErrors(api: string, headers: Record<string, string>, jobId: string, limit: number): Promise<void> {
  let cursor: string | null = null;
  let printed = 0;
  do {
    const page: { items: { row: number; reason: string }[]; nextCursor: string | null } | null = await getJson(
      `${api}/v1/imports/${jobId}/errors?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      headers,
    );
    for (const e of page?.items ?? []) {
      if (limit > 0 && printed >= limit) {
        return;
      }
      process.stdout.write(`  row ${String(e.row).padStart(6)}  ${e.reason}\n`);
      printed += 1;
    }
    cursor = page?.nextCursor ?? null;
  } while (cursor);
}

await program.parseAsync();
