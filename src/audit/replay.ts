// The release check and the auditor's cross-examination of one lifecycle:
// every run of the subscriber's workflow is replayed against the current
// workflow code (nondeterminism means a deploy would break running
// subscribers), and three accounts of the consent state are compared: the
// ledger's events folded, the subscriber row, and the workflow's own state.
import type { Client } from '@temporalio/client';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import type { Db } from '../db/client.js';
import { NotFoundError } from '../domain/errors.js';
import { verifyChain, type ChainVerdict } from '../ledger/ledger.js';
import { searchAttributes } from '../temporal/shared.js';
import { stateQuery } from '../workflows/messages.js';
import { foldConsentState, type LedgerState } from './consent-state.js';
import { fetchRunHistories, type History, type RunHistory } from './histories.js';
import { resolvePhone, subscriberIdByPhone } from './lookup.js';

export type ReplayTarget = { workflowId: string } | { programId: string; phone: string } | { programId: string; all: true };

export interface ReplayDeps {
  db: Db;
  client: Client;
  phoneHashKey: string;
  /** The workflow code to replay against: a bundle, or the path of the workflows' index. */
  workflows: { workflowBundle: WorkflowBundleOption } | { workflowsPath: string };
  /** How long to wait for a worker to answer the state query; 0 reads the state from the history. */
  queryTimeoutMs: number;
}

export interface RunReplay {
  runId: string;
  events: number;
  outcome: 'ok' | 'nondeterminism' | 'error';
  message: string | null;
}

export interface SubscriberReplay {
  workflowId: string;
  subscriberId: string | null;
  runs: RunReplay[];
  workflowOpen: boolean;
  states: {
    ledger: LedgerState | null;
    record: string | null;
    workflow: string | null;
    /** Where the workflow's state came from: its `state` query, or the last state it declared in its history. */
    workflowSource: 'query' | 'history' | null;
  };
  chain: ChainVerdict | null;
  problems: string[];
}

export interface ReplayReport {
  ok: boolean;
  subscribers: SubscriberReplay[];
}

const PAGE = 100;

export async function replaySubscribers(deps: ReplayDeps, target: ReplayTarget): Promise<ReplayReport> {
  const subscribers: SubscriberReplay[] = [];
  for await (const workflowId of workflowIdsOf(deps.db, target, deps.phoneHashKey)) {
    subscribers.push(await replayOne(deps, workflowId));
  }
  return { ok: subscribers.every((s) => s.problems.length === 0), subscribers };
}

async function* workflowIdsOf(db: Db, target: ReplayTarget, key: string): AsyncGenerator<string> {
  if ('workflowId' in target) {
    yield target.workflowId;
  } else if ('phone' in target) {
    const id = await subscriberIdByPhone(db, target.programId, resolvePhone(target.phone, key));
    yield (await db.subscriber.findUniqueOrThrow({ where: { id }, select: { workflowId: true } })).workflowId;
  } else {
    if (!(await db.program.findUnique({ where: { id: target.programId }, select: { id: true } }))) {
      throw new NotFoundError('program', target.programId);
    }
    let cursor: string | undefined;
    for (;;) {
      const page = await db.subscriber.findMany({
        where: { programId: target.programId },
        orderBy: { id: 'asc' },
        take: PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
        select: { id: true, workflowId: true },
      });
      yield* page.map((p) => p.workflowId);
      if (page.length < PAGE) {
        return;
      }
      cursor = page[page.length - 1]?.id;
    }
  }
}

async function replayOne(deps: ReplayDeps, workflowId: string): Promise<SubscriberReplay> {
  const subscriber = await deps.db.subscriber.findUnique({ where: { workflowId } });
  const runs = await fetchRunHistories(deps.client, workflowId);
  const replays = await replayRuns(deps.workflows, runs);
  const latest = runs[runs.length - 1];
  const workflowOpen = latest ? isOpen(latest.history) : false;
  const workflow = latest ? await workflowState(deps, workflowId, latest, workflowOpen) : null;

  const events = subscriber ? await deps.db.consentEvent.findMany({ where: { subscriberId: subscriber.id }, orderBy: { seq: 'asc' }, select: { type: true } }) : [];
  const result: SubscriberReplay = {
    workflowId,
    subscriberId: subscriber?.id ?? null,
    runs: replays,
    workflowOpen,
    states: {
      ledger: subscriber ? foldConsentState(events) : null,
      record: subscriber?.consentState ?? null,
      workflow: workflow?.state ?? null,
      workflowSource: workflow?.source ?? null,
    },
    chain: subscriber ? await verifyChain(deps.db, subscriber.id) : null,
    problems: [],
  };
  result.problems = problemsOf(result);
  return result;
}

async function replayRuns(workflows: ReplayDeps['workflows'], runs: RunHistory[]): Promise<RunReplay[]> {
  if (runs.length === 0) {
    return [];
  }
  const results: RunReplay[] = [];
  const replayed = Worker.runReplayHistories(
    { ...workflows, replayName: 'consentline-audit' },
    runs.map((r) => ({ workflowId: r.workflowId, history: r.history })),
  );
  let index = 0;
  for await (const r of replayed) {
    const run = runs[index];
    index += 1;
    results.push({
      runId: run?.runId ?? r.runId,
      events: run?.history.events?.length ?? 0,
      outcome: r.error ? (r.error instanceof DeterminismViolationError ? 'nondeterminism' : 'error') : 'ok',
      message: r.error ? r.error.message : null,
    });
  }
  return results;
}

function isOpen(history: History): boolean {
  const last = history.events?.[history.events.length - 1];
  return !(
    last?.workflowExecutionCompletedEventAttributes ||
    last?.workflowExecutionFailedEventAttributes ||
    last?.workflowExecutionTerminatedEventAttributes ||
    last?.workflowExecutionCanceledEventAttributes ||
    last?.workflowExecutionTimedOutEventAttributes ||
    last?.workflowExecutionContinuedAsNewEventAttributes
  );
}

async function workflowState(
  deps: ReplayDeps,
  workflowId: string,
  latest: RunHistory,
  open: boolean,
): Promise<{ state: string; source: 'query' | 'history' } | null> {
  if (open && deps.queryTimeoutMs > 0) {
    try {
      const handle = deps.client.workflow.getHandle(workflowId, latest.runId);
      const state = await deps.client.connection.withDeadline(Date.now() + deps.queryTimeoutMs, () => handle.query(stateQuery));
      return { state: state.consentState, source: 'query' };
    } catch {
      // No worker answered in time: the history still says what the workflow declared.
    }
  }
  const declared = declaredState(latest.history);
  return declared ? { state: declared, source: 'history' } : null;
}

/** The last ConsentlineState the workflow set (start options or an upsert), from its history. */
export function declaredState(history: History): string | null {
  const key = searchAttributes.consentState.name;
  let state: string | null = null;
  for (const e of history.events ?? []) {
    const fields =
      e.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ??
      e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const payload = fields?.[key];
    if (payload?.data) {
      const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
      state = typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : state;
    }
  }
  return state;
}

const IN_FORCE = ['pending', 'active', 'paused'];

function problemsOf(r: SubscriberReplay): string[] {
  const problems: string[] = [];
  for (const run of r.runs.filter((x) => x.outcome !== 'ok')) {
    problems.push(`run ${run.runId}: ${run.outcome === 'nondeterminism' ? 'nondeterminism' : 'replay failed'}: ${run.message ?? ''}`.trim());
  }
  const { ledger, record, workflow } = r.states;
  if (r.subscriberId === null) {
    problems.push('no subscriber row has this workflow ID');
    return problems;
  }
  if (r.chain && !r.chain.ok) {
    problems.push(`ledger chain broken at #${r.chain.brokenAt.seq}: ${r.chain.brokenAt.reason}`);
  }
  if (ledger !== record) {
    problems.push(`the ledger proves "${ledger}" but the subscriber row says "${record}"`);
  }
  if (ledger === 'erased') {
    if (r.workflowOpen) {
      problems.push('the subscriber is erased but their workflow is still running');
    }
  } else if (workflow !== null && workflow !== ledger) {
    problems.push(`the ledger proves "${ledger}" but the workflow says "${workflow}"`);
  } else if (r.runs.length === 0 && record !== null && IN_FORCE.includes(record)) {
    problems.push(`consent is "${record}" but no workflow history exists for it`);
  }
  return problems;
}
