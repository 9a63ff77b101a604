// Plain-text reports for the audit command: what an operator reads in a
// terminal or a release log. The JSON forms carry the same facts.
import type { ProgramVerdict } from '../ledger/ledger.js';
import type { ErasureReport } from './erasure.js';
import { chainSummary } from './render.js';
import type { ReplayReport } from './replay.js';
import type { RetentionReport } from './retention.js';

export function replayText(report: ReplayReport): string {
  const lines: string[] = [];
  for (const s of report.subscribers) {
    lines.push(`${s.problems.length ? 'FAIL' : 'ok  '} ${s.workflowId} (subscriber ${s.subscriberId ?? 'unknown'})`);
    for (const run of s.runs) {
      lines.push(`     run ${run.runId}: ${run.events} events, replay ${run.outcome}`);
    }
    if (s.runs.length === 0) {
      lines.push('     no workflow history');
    }
    const workflow = s.states.workflow ? `${s.states.workflow} (${s.states.workflowSource}${s.workflowOpen ? ', running' : ', closed'})` : 'none';
    lines.push(`     state: ledger ${s.states.ledger ?? 'none'}, record ${s.states.record ?? 'none'}, workflow ${workflow}`);
    if (s.chain) {
      lines.push(`     ${chainSummary(s.chain)}`);
    }
    for (const p of s.problems) {
      lines.push(`     ✗ ${p.split('\n')[0]}`);
    }
  }
  const failed = report.subscribers.filter((s) => s.problems.length > 0).length;
  lines.push('', `${report.subscribers.length} subscriber(s) checked, ${failed} with problems: ${report.ok ? 'OK' : 'MISMATCH'}`);
  return `${lines.join('\n')}\n`;
}

export function programVerdictText(v: ProgramVerdict): string {
  const lines = [`program ${v.programId}: ${v.subscribers} subscriber(s), ${v.events} event(s), personal evidence of ${v.erasedEvidence} erased`];
  for (const b of v.broken) {
    lines.push(`  ✗ subscriber ${b.subscriberId}: broken at #${b.seq}${b.eventId ? ` (event ${b.eventId})` : ''}: ${b.reason}`);
  }
  lines.push(v.ok ? 'every chain verifies: OK' : `${v.broken.length} broken chain(s): TAMPERED`);
  return `${lines.join('\n')}\n`;
}

export function erasureText(r: ErasureReport): string {
  const lines = [`erasure ${r.requestId} at ${r.erasedAt.toISOString()}`, `suppressed: program ${r.suppression.programId}, phone hash ${r.suppression.phoneHash}`];
  for (const s of r.subscribers) {
    lines.push(
      `  subscriber ${s.subscriberId} (${s.programId}): workflow ${s.workflowTerminated ? 'terminated' : 'not running'}, ` +
        `${s.evidenceDeleted} evidence record(s) erased, ${s.outboundBodiesCleared + s.inboundBodiesCleared} text bodies cleared, ` +
        `${s.simulatedMessagesDeleted} simulated carrier copies deleted`,
      `    ${s.historyRuns} workflow history run(s) searched: ${s.historiesDeleted.length ? `${s.historiesDeleted.length} held the number and were deleted` : 'none holds the number'}`,
      `    ledger event ${s.ledgerEventId ?? 'none'}; ${chainSummary(s.chain)}`,
    );
  }
  if (r.subscribers.length === 0) {
    lines.push('  no subscriber has this number; the suppression entry was still recorded');
  }
  return `${lines.join('\n')}\n`;
}

export function retentionText(r: RetentionReport): string {
  const verb = r.dryRun ? 'would' : 'did';
  return [
    `retention ${r.dryRun ? '(dry run)' : '(applied)'}: evidence before ${r.evidenceCutoff}, bodies before ${r.bodyCutoff}`,
    `  ${verb} erase ${r.evidenceRowsDeleted} personal evidence record(s) of ${r.subscribersWithEvidenceExpired} subscriber(s)`,
    `  ${verb} clear ${r.outboundBodiesCleared} outbound and ${r.inboundBodiesCleared} inbound body(ies)`,
    `  ${verb} delete ${r.simulatedMessagesDeleted} simulated carrier message(s)`,
    '',
  ].join('\n');
}
