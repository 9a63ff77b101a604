// The timeline an auditor reads, from rows the lifecycle would have written:
// every event and text in order, SIDs and delivery statuses, a valid chain,
// and the CSV and HTML exports escaped against what strangers text in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTimeline } from '../../src/audit/render.js';
import { buildTimeline } from '../../src/audit/timeline.js';
import { testDbFactories, type TestDb } from '../helpers/db.js';
import { buildProgram, buildSubscriber } from './factories.js';
import { PHONE, seedStory } from './seed.js';

describe.each(['sqlite', 'postgres'] as const)('subscriber timeline on %s', (provider) => {
  let t: TestDb;
  let subscriberId: string;

  beforeAll(async () => {
    t = await testDbFactories[provider]();
    const programId = await buildProgram(t.db);
    subscriberId = await buildSubscriber(t.db, programId, { phoneE164: PHONE, consentState: 'opted_out' });
    await seedStory(t.db, programId, subscriberId);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('lists every event and text in order with SIDs, delivery statuses and a verified chain', async () => {
    const timeline = await buildTimeline(t.db, subscriberId);

    expect(timeline.chain).toEqual({ ok: true, events: 6, erasedEvidence: 0 });
    expect(timeline.ledgerState).toBe('opted_out');
    expect(timeline.entries.map((e) => (e.entry === 'consent_event' ? e.type : e.entry === 'outbound' ? `out:${e.kind}` : `in:${e.keyword}`))).toEqual([
      'opt_in_requested',
      'confirmation_requested',
      'out:confirmation_request',
      'in:confirm',
      'confirmed',
      'disclosure_sent',
      'out:welcome',
      'out:marketing',
      'in:stop',
      'opted_out',
      'opt_out_confirmation_sent',
      'out:stop_confirmation',
    ]);
    const confirmation = timeline.entries.find((e) => e.entry === 'outbound' && e.kind === 'confirmation_request');
    expect(confirmation).toMatchObject({ providerSid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'delivered' });
    expect(confirmation?.entry === 'outbound' && confirmation.deliveries.map((d) => d.status)).toEqual(['queued', 'sent', 'delivered']);
    const optIn = timeline.entries[0];
    expect(optIn).toMatchObject({ entry: 'consent_event', seq: 1, source: 'web_form', personal: { ip: '203.0.113.7' }, personalErased: false });
    const disclosure = timeline.entries[1];
    expect(disclosure?.entry === 'consent_event' && disclosure.evidence).toMatchObject({ template: 'confirmation_request', version: '1', textSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('exports CSV with one row per entry and formula cells neutralised', async () => {
    const csv = renderTimeline(await buildTimeline(t.db, subscriberId), 'csv');
    const lines = csv.trimEnd().split('\r\n');

    expect(lines[0]).toBe('at,entry,seq,event_or_kind,source,status,provider_sid,id,body,detail,recorded_at');
    expect(lines).toHaveLength(13);
    expect(lines[1]).toMatch(/^2026-11-02T15:00:00\.000Z,consent_event,1,opt_in_requested,web_form,/);
    expect(csv).toContain(`"'=HYPERLINK(""x"") 20% off today only. Reply STOP to opt out"`);
    expect(csv).toMatch(/undelivered/);
  });

  it('renders a printable HTML page with every text escaped', async () => {
    const html = renderTimeline(await buildTimeline(t.db, subscriberId), 'html');

    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('@media print');
    expect(html).toContain('chain verified: 6 event(s)');
    expect(html).toContain('STOP &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html.match(/<tr class="/g)).toHaveLength(12);
  });
});
