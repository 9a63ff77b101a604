// The timeline as CSV (one row per entry, for spreadsheets) and as a printable
// HTML page. Every value is escaped: inbound bodies are text a stranger chose.
import type { ChainVerdict } from '../ledger/ledger.js';
import type { Timeline, TimelineEntry } from './timeline.js';

export type TimelineFormat = 'json' | 'csv' | 'html';

export const timelineContentTypes: Record<TimelineFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function renderTimeline(timeline: Timeline, format: TimelineFormat): string {
  switch (format) {
    case 'csv':
      return timelineCsv(timeline);
    case 'html':
      return timelineHtml(timeline);
    default:
      return `${JSON.stringify(timeline, null, 2)}\n`;
  }
}

export function chainSummary(chain: ChainVerdict): string {
  if (chain.ok) {
    const erased = chain.erasedEvidence ? `, personal evidence of ${chain.erasedEvidence} erased` : '';
    return `chain verified: ${chain.events} event(s)${erased}`;
  }
  const id = chain.brokenAt.eventId ? ` (event ${chain.brokenAt.eventId})` : '';
  return `CHAIN BROKEN at #${chain.brokenAt.seq}${id}: ${chain.brokenAt.reason}`;
}

interface Row {
  at: string;
  entry: string;
  seq: string;
  what: string;
  source: string;
  status: string;
  providerSid: string;
  id: string;
  body: string;
  detail: string;
  recordedAt: string;
}

const columns: Array<[keyof Row, string]> = [
  ['at', 'at'],
  ['entry', 'entry'],
  ['seq', 'seq'],
  ['what', 'event_or_kind'],
  ['source', 'source'],
  ['status', 'status'],
  ['providerSid', 'provider_sid'],
  ['id', 'id'],
  ['body', 'body'],
  ['detail', 'detail'],
  ['recordedAt', 'recorded_at'],
];

function rowOf(e: TimelineEntry): Row {
  const base = { at: e.at.toISOString(), entry: e.entry, id: e.id, seq: '', source: '', status: '', providerSid: '', body: '', detail: '', recordedAt: '' };
  switch (e.entry) {
    case 'consent_event':
      return {
        ...base,
        seq: String(e.seq),
        what: e.type,
        source: e.source,
        detail: JSON.stringify({ evidence: e.evidence, ...(e.personal ? { personal: e.personal } : {}), ...(e.personalErased ? { personalErased: true } : {}) }),
        recordedAt: e.recordedAt.toISOString(),
      };
    case 'outbound':
      return {
        ...base,
        what: e.kind,
        status: e.status,
        providerSid: e.providerSid ?? '',
        body: e.body ?? '',
        detail: e.deliveries.map((d) => `${d.at.toISOString()} ${d.status}${d.errorCode ? ` (${d.errorCode})` : ''}`).join('; '),
      };
    case 'inbound':
      return {
        ...base,
        what: e.keyword ?? 'unclassified',
        status: e.optOutType ?? '',
        providerSid: e.providerSid,
        body: e.body ?? '',
        detail: e.numMedia ? `${e.numMedia} media` : '',
      };
  }
}

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function timelineCsv(t: Timeline): string {
  const lines = [columns.map(([, name]) => name).join(',')];
  for (const e of t.entries) {
    const row = rowOf(e);
    lines.push(columns.map(([key]) => csvCell(row[key])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const css = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 2rem; color: #111; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 1rem; }
dt { font-weight: 600; } dd { margin: 0; font-family: ui-monospace, monospace; }
.verdict { padding: .6rem .8rem; border-radius: 4px; font-weight: 600; margin: 0 0 1rem; }
.verdict.ok { background: #e6f4ea; border: 1px solid #34a853; }
.verdict.broken { background: #fce8e6; border: 1px solid #d93025; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
col.at { width: 11%; } col.entry { width: 6%; } col.seq { width: 3%; } col.what { width: 11%; } col.source { width: 6%; }
col.status { width: 6%; } col.sid { width: 11%; } col.text { width: 21%; } col.detail { width: 25%; }
th, td { border: 1px solid #ccc; padding: .3rem .4rem; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
tr.consent_event td.entry { color: #1a4d8f; } tr.inbound td.entry { color: #7a4b00; } tr.outbound td.entry { color: #2d6a2d; }
td.mono { font-family: ui-monospace, monospace; font-size: 11px; word-break: break-all; }
td { overflow-wrap: anywhere; }
td.at { word-break: normal; }
td.detail { white-space: pre-wrap; word-break: normal; overflow-wrap: anywhere; }
.body { white-space: pre-wrap; }
footer { margin-top: 1rem; color: #555; font-size: 11px; }
@media print {
  body { margin: 0; font-size: 10px; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
  th { background: none; }
  @page { size: A4 landscape; margin: 12mm; }
}`;

/** One `key: value` line per evidence field, personal ones marked, for reading rather than parsing. */
function evidenceLines(e: Extract<TimelineEntry, { entry: 'consent_event' }>): string {
  const line = (prefix: string) => ([k, v]: [string, unknown]) => `${prefix}${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`;
  return [
    ...Object.entries(e.evidence).map(line('')),
    ...Object.entries(e.personal ?? {}).map(line('personal ')),
    ...(e.personalErased ? ['personal evidence: erased'] : []),
  ].join('\n');
}

export function timelineHtml(t: Timeline): string {
  const s = t.subscriber;
  const facts: Array<[string, string]> = [
    ['Subscriber', s.id],
    ['Program', s.programId],
    ['Phone', s.phoneE164 ?? (s.erasedAt ? 'erased' : 'unknown')],
    ['Phone hash', s.phoneHash],
    ['Workflow ID', s.workflowId],
    ['Country / region', `${s.country}${s.region ? ` / ${s.region}` : ''}`],
    ['Consent state (record)', s.consentState],
    ['Consent state (ledger)', t.ledgerState],
    ['Subscribed since', s.createdAt.toISOString()],
    ...(s.erasedAt ? ([['Erased at', s.erasedAt.toISOString()]] as Array<[string, string]>) : []),
    ...t.suppressions.map((x): [string, string] => ['Suppressed', `${x.programId === '*' ? 'every program' : x.programId} since ${x.createdAt.toISOString()} (${x.reason})`]),
  ];
  const rows = t.entries.map((e) => {
    const r = rowOf(e);
    const detail = e.entry === 'consent_event' ? evidenceLines(e) : r.detail;
    return `<tr class="${e.entry}"><td class="mono at">${escapeHtml(r.at.replace('T', ' ').replace('Z', ''))}</td><td class="entry">${escapeHtml(r.entry.replace('_', ' '))}</td><td>${escapeHtml(r.seq)}</td><td>${escapeHtml(r.what)}</td><td>${escapeHtml(r.source)}</td><td>${escapeHtml(r.status)}</td><td class="mono">${escapeHtml(r.providerSid)}</td><td class="body">${escapeHtml(r.body)}</td><td class="mono detail">${escapeHtml(detail)}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Consent timeline ${escapeHtml(s.id)}</title>
<style>${css}</style>
</head>
<body>
<h1>Consent timeline</h1>
<p class="verdict ${t.chain.ok ? 'ok' : 'broken'}">${escapeHtml(chainSummary(t.chain))}</p>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<table>
<colgroup>${['at', 'entry', 'seq', 'what', 'source', 'status', 'sid', 'text', 'detail'].map((c) => `<col class="${c}">`).join('')}</colgroup>
<thead><tr><th>At (UTC)</th><th>Entry</th><th>#</th><th>Event / kind</th><th>Source</th><th>Status</th><th>Provider SID</th><th>Text</th><th>Evidence / deliveries</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<footer>Generated ${escapeHtml(t.generatedAt.toISOString())} by consentline. Event times are when each thing happened; the ledger's recorded times are in the JSON and CSV exports.</footer>
</body>
</html>
`;
}
