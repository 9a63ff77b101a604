// npm run import -- --program <id> <file.csv>
// Uploads a subscriber CSV to the running API as a stream, then shows a
// progress bar fed by the import job while the rows are opted in, the counts,
// and every refused row with its reason. The API key comes from CONSENTLINE_API_KEY.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';

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

  process.stdout.write(`uploading ${file}…\n`);
  const startedAt = Date.now();
  const res = await fetch(`${api}/v1/programs/${encodeURIComponent(options.program)}/imports`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const accepted = (await res.json()) as ImportJob & { detail?: string; title?: string };
  if (!res.ok) {
    process.stderr.write(`import refused (${res.status}): ${accepted.detail ?? accepted.title ?? 'unknown error'}\n`);
    return 1;
  }
  process.stdout.write(`read ${accepted.counts.total} rows in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; opting in (import ${accepted.id})\n`);
  const body = await followJob(api, headers, accepted);
  const seconds = (Date.now() - startedAt) / 1000;
  const c = body.counts;
  process.stdout.write(
    `import ${body.id} ${body.status}: ${c.total} rows, ${c.imported} imported, ${c.rejected} refused, ${c.duplicates} duplicates (${seconds.toFixed(1)} s, ${(c.total / seconds).toFixed(0)} rows/s)\n`,
  );
  await printErrors(api, headers, body.id, Number(options.errors));
  return body.status === 'completed' ? 0 : 1;
}

/** Polls the job, feeding the bar, until it is no longer running. */
async function followJob(api: string, headers: Record<string, string>, job: ImportJob): Promise<ImportJob> {
  const bar = new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} rows | imported {imported} refused {refused}', hideCursor: true }, Presets.shades_classic);
  bar.start(job.counts.total, 0, { imported: 0, refused: 0 });
  let current = job;
  while (current.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    current = (await getJson<ImportJob>(`${api}/v1/imports/${job.id}`, headers)) ?? current;
    const c = current.counts;
    bar.update(c.imported + c.rejected + c.duplicates, { imported: c.imported, refused: c.rejected + c.duplicates });
  }
  bar.stop();
  return current;
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
