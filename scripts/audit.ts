// npm run audit -- <command>: the auditor's and operator's tools on the
// configured database and Temporal (DATABASE_URL, TEMPORAL_ADDRESS,
// PHONE_HASH_KEY, as the worker uses them). Exit code 0 = all verified,
// 1 = a mismatch, a broken chain or nondeterminism, 2 = the command failed.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError, Option } from 'commander';
import { eraseSubscriberData, type ErasureTarget } from '../src/audit/erasure.js';
import { resolvePhone, subscriberIdByPhone } from '../src/audit/lookup.js';
import { renderTimeline, chainSummary, type TimelineFormat } from '../src/audit/render.js';
import { erasureText, programVerdictText, replayText, retentionText } from '../src/audit/report-text.js';
import { replaySubscribers, type ReplayTarget } from '../src/audit/replay.js';
import { enforceRetention, retentionPolicyFromEnv } from '../src/audit/retention.js';
import { buildTimeline } from '../src/audit/timeline.js';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db/client.js';
import { loadPhoneHashKey } from '../src/identity.js';
import { verifyChain, verifyProgram } from '../src/ledger/ledger.js';
import { connectClient } from '../src/temporal/connection.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

interface Ctx {
  db: Db;
  phoneHashKey: string;
  client(): Promise<Client>;
}

/** Opens what a command needs, runs it, closes everything, and exits with its code. */
async function run(body: (ctx: Ctx) => Promise<number>): Promise<void> {
  let code = 2;
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  let client: Client | null = null;
  try {
    const ctx: Ctx = {
      db,
      phoneHashKey: loadPhoneHashKey(config.PHONE_HASH_KEY, join(config.DATA_DIR, 'phone-hash.key')),
      async client() {
        client ??= await connectClient(config);
        return client;
      },
    };
    code = await body(ctx);
  } catch (err) {
    process.stderr.write(`audit: ${(err as Error).message.split('\n')[0]}\n`);
  } finally {
    await (client as Client | null)?.connection.close();
    await db.$disconnect();
  }
  process.exit(code);
}

function emit(text: string, out?: string): void {
  if (out) {
    writeFileSync(out, text);
    process.stderr.write(`written to ${out}\n`);
  } else {
    process.stdout.write(text);
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('must be a whole number of milliseconds');
  }
  return n;
}

// Replay reports nondeterminism in its result; the SDK's own warnings about it would only repeat it.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });

const program = new Command('audit').description('consentline audit: ledger verification, timelines, replay, erasure, retention');

program
  .command('timeline')
  .description("one subscriber's consent timeline: every ledger event and text, with the chain verified")
  .option('--subscriber <id>', 'subscriber ID')
  .option('--program <id>', 'program ID (with --phone)')
  .option('--phone <number>', 'phone number (with --program)')
  .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'html']).default('json'))
  .option('--out <file>', 'write to a file instead of standard output')
  .action((o: { subscriber?: string; program?: string; phone?: string; format: TimelineFormat; out?: string }) =>
    run(async (ctx) => {
      const subscriberId = o.subscriber ?? (o.program && o.phone ? await subscriberIdByPhone(ctx.db, o.program, resolvePhone(o.phone, ctx.phoneHashKey)) : null);
      if (!subscriberId) {
        throw new Error('give --subscriber <id>, or --program <id> with --phone <number>');
      }
      const timeline = await buildTimeline(ctx.db, subscriberId);
      emit(renderTimeline(timeline, o.format), o.out);
      process.stderr.write(`${chainSummary(timeline.chain)}\n`);
      return timeline.chain.ok ? 0 : 1;
    }),
  );

program
  .command('verify')
  .description("recompute the ledger's hash chains of a program or one subscriber")
  .option('--program <id>', 'every subscriber of this program')
  .option('--subscriber <id>', 'one subscriber')
  .option('--json', 'JSON output')
  .action((o: { program?: string; subscriber?: string; json?: boolean }) =>
    run(async (ctx) => {
      if (o.subscriber) {
        const verdict = await verifyChain(ctx.db, o.subscriber);
        emit(o.json ? json(verdict) : `${chainSummary(verdict)}\n`);
        return verdict.ok ? 0 : 1;
      }
      if (!o.program) {
        throw new Error('give --program <id> or --subscriber <id>');
      }
      const verdict = await verifyProgram(ctx.db, o.program);
      emit(o.json ? json(verdict) : programVerdictText(verdict));
      return verdict.ok ? 0 : 1;
    }),
  );

program
  .command('replay')
  .description('replay the workflow histories against the current code and compare ledger, record and workflow states')
  .option('--workflow-id <id>', 'one workflow ID')
  .option('--program <id>', 'program ID (with --phone or --all)')
  .option('--phone <number>', 'phone number (with --program)')
  .option('--all', "every subscriber of --program: the release check")
  .option('--workflows-path <file>', 'workflow code to replay against', join(root, 'src/workflows/index.ts'))
  .option('--query-timeout <ms>', "wait this long for a worker to answer the state query (0: read the history's)", positiveInt, 5000)
  .option('--json', 'JSON output')
  .action((o: { workflowId?: string; program?: string; phone?: string; all?: boolean; workflowsPath: string; queryTimeout: number; json?: boolean }) =>
    run(async (ctx) => {
      const target: ReplayTarget | null = o.workflowId
        ? { workflowId: o.workflowId }
        : o.program && o.phone
          ? { programId: o.program, phone: o.phone }
          : o.program && o.all
            ? { programId: o.program, all: true }
            : null;
      if (!target) {
        throw new Error('give --workflow-id <id>, or --program <id> with --phone <number> or --all');
      }
      const bundle = await bundleWorkflowCode({ workflowsPath: resolve(o.workflowsPath), logger: quietBundler });
      const report = await replaySubscribers(
        { db: ctx.db, client: await ctx.client(), phoneHashKey: ctx.phoneHashKey, workflows: { workflowBundle: bundle }, queryTimeoutMs: o.queryTimeout },
        target,
      );
      emit(o.json ? json(report) : replayText(report));
      return report.ok ? 0 : 1;
    }),
  );

program
  .command('erase')
  .description("erase a person's personal data (GDPR Art. 17), stop their lifecycles and suppress the number")
  .option('--subscriber <id>', 'one subscriber')
  .option('--phone <number>', "the person's number: every program, or only --program")
  .option('--program <id>', 'limit --phone to this program')
  .requiredOption('--reason <text>', 'why, for the ledger (no personal data)')
  .option('--requested-by <who>', 'who asked, for the ledger', 'operator')
  .option('--request-id <id>', 'idempotency key of this erasure request')
  .option('--json', 'JSON output')
  .action((o: { subscriber?: string; phone?: string; program?: string; reason: string; requestedBy: string; requestId?: string; json?: boolean }) =>
    run(async (ctx) => {
      const target: ErasureTarget | null = o.subscriber
        ? { subscriberId: o.subscriber }
        : o.phone
          ? { phone: o.phone, ...(o.program ? { programId: o.program } : {}) }
          : null;
      if (!target) {
        throw new Error('give --subscriber <id> or --phone <number>');
      }
      const report = await eraseSubscriberData(
        { db: ctx.db, client: await ctx.client(), phoneHashKey: ctx.phoneHashKey, now: () => new Date() },
        { target, reason: o.reason, requestedBy: o.requestedBy, ...(o.requestId ? { requestId: o.requestId } : {}) },
      );
      emit(o.json ? json(report) : erasureText(report));
      return report.subscribers.every((s) => s.chain.ok) ? 0 : 1;
    }),
  );

program
  .command('retention')
  .description('enforce the retention policy (RETENTION_EVIDENCE_YEARS, RETENTION_BODY_DAYS); never touches the ledger')
  .option('--dry-run', 'count what would go')
  .option('--apply', 'delete it')
  .option('--json', 'JSON output')
  .action((o: { dryRun?: boolean; apply?: boolean; json?: boolean }) =>
    run(async (ctx) => {
      if (Boolean(o.dryRun) === Boolean(o.apply)) {
        throw new Error('give exactly one of --dry-run or --apply');
      }
      const report = await enforceRetention(ctx.db, retentionPolicyFromEnv(), new Date(), !o.apply);
      emit(o.json ? json(report) : retentionText(report));
      return 0;
    }),
  );

const quietBundler = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

await program.parseAsync();
