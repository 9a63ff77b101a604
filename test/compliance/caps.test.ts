import { describe, expect, it } from 'vitest';
import { nextCapSlot, planSend, type Jurisdiction, type MessageKind, type ProgramRules } from '../../src/compliance/index.js';
import { jurisdiction } from './fixtures.js';

const NY = ['America/New_York'];
const FL = jurisdiction({ region: 'US-FL', timeZones: NY });
const OK = jurisdiction({ region: 'US-OK', timeZones: ['America/Chicago'] });
const MD = jurisdiction({ region: 'US-MD', timeZones: NY });
const TX = jurisdiction({ region: 'US-TX', timeZones: ['America/Chicago'] });
const TOLL_FREE = jurisdiction({ numberType: 'TOLL_FREE', timeZones: NY, zoneBasis: 'zip' });
const ON = jurisdiction({ country: 'CA', region: 'CA-ON', timeZones: ['America/Toronto'] });

type Cap = ProgramRules['frequencyCap'];
type Row = [label: string, now: string, sent: string[], recipient: Jurisdiction, cap: Cap, kind: MessageKind, at: string, allowedNow: boolean, rule: string];

const WEEKLY_FOUR: Cap = { count: 4, perHours: 168 };

const CAP_ROWS: Row[] = [
  [
    'a fourth Florida text within 24 hours waits for the first to age out',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, null, 'marketing', '2026-03-11T13:00:00.000Z', false, 'us-fl-cap',
  ],
  ['a third Florida text is fine', '2026-03-10T19:00:00Z', ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z'], FL, null, 'marketing', '2026-03-10T19:00:00.000Z', true, 'us-fl-cap'],
  [
    'a send older than 24 hours no longer counts',
    '2026-03-10T19:00:00Z',
    ['2026-03-09T18:00:00Z', '2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z'],
    FL, null, 'marketing', '2026-03-10T19:00:00.000Z', true, 'us-fl-cap',
  ],
  [
    'a send exactly 24 hours ago has left the window',
    '2026-03-10T19:00:00Z',
    ['2026-03-09T19:00:00Z', '2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z'],
    FL, null, 'marketing', '2026-03-10T19:00:00.000Z', true, 'us-fl-cap',
  ],
  [
    'order of the history does not matter',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T17:00:00Z', '2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z'],
    FL, null, 'marketing', '2026-03-11T13:00:00.000Z', false, 'us-fl-cap',
  ],
  [
    'five sends: the third most recent must age out',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T01:00:00Z', '2026-03-10T02:00:00Z', '2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, null, 'marketing', '2026-03-11T13:00:00.000Z', false, 'us-fl-cap',
  ],
  [
    'Oklahoma counts the same way',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T14:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T16:00:00Z'],
    OK, null, 'marketing', '2026-03-11T14:00:00.000Z', false, 'us-ok-cap',
  ],
  [
    'Maryland counts the same way',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T14:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T16:00:00Z'],
    MD, null, 'marketing', '2026-03-11T14:00:00.000Z', false, 'us-md-cap',
  ],
  [
    'Texas has no state cap',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T14:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T16:00:00Z'],
    TX, null, 'marketing', '2026-03-10T19:00:00.000Z', true, 'no-cap',
  ],
  [
    'state unknown: the three-a-day limit applies',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T14:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T16:00:00Z'],
    TOLL_FREE, null, 'marketing', '2026-03-11T14:00:00.000Z', false, 'us-state-cap',
  ],
  [
    'program cap of 4 a week',
    '2026-03-10T19:00:00Z',
    ['2026-03-04T19:00:00Z', '2026-03-06T19:00:00Z', '2026-03-08T19:00:00Z', '2026-03-09T19:00:00Z'],
    TX, WEEKLY_FOUR, 'marketing', '2026-03-11T19:00:00.000Z', false, 'program-frequency-cap',
  ],
  [
    'program cap binds later than the Florida cap',
    '2026-03-10T19:00:00Z',
    ['2026-03-05T12:00:00Z', '2026-03-07T12:00:00Z', '2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z'],
    FL, WEEKLY_FOUR, 'marketing', '2026-03-12T12:00:00.000Z', false, 'program-frequency-cap',
  ],
  [
    'Florida cap binds later than the program cap',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, WEEKLY_FOUR, 'marketing', '2026-03-11T13:00:00.000Z', false, 'us-fl-cap',
  ],
  [
    'Canada: program cap only',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    ON, { count: 3, perHours: 24 }, 'marketing', '2026-03-11T13:00:00.000Z', false, 'program-frequency-cap',
  ],
  [
    'a re-consent request counts',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, null, 'reconsent', '2026-03-11T13:00:00.000Z', false, 'us-fl-cap',
  ],
  [
    'an opt-out reminder does not count',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, null, 'reminder', '2026-03-10T19:00:00.000Z', true, 'cap-not-applicable',
  ],
  [
    'an informational text does not count',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, null, 'informational', '2026-03-10T19:00:00.000Z', true, 'cap-not-applicable',
  ],
  ['a HELP reply does not count', '2026-03-10T19:00:00Z', ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'], FL, null, 'help', '2026-03-10T19:00:00.000Z', true, 'cap-not-applicable'],
  ['a zero cap is ignored as meaningless', '2026-03-10T19:00:00Z', [], TX, { count: 0, perHours: 24 }, 'marketing', '2026-03-10T19:00:00.000Z', true, 'no-cap'],
];

describe('nextCapSlot', () => {
  it.each(CAP_ROWS)('%s', (_label, now, sent, recipient, frequencyCap, kind, at, allowedNow, rule) => {
    const slot = nextCapSlot(new Date(now), sent.map((iso) => new Date(iso)), recipient, { frequencyCap }, kind);
    expect({ at: slot.at.toISOString(), allowedNow: slot.allowedNow, rule: slot.rule }).toEqual({ at, allowedNow, rule });
  });
});

type PlanRow = [label: string, now: string, sent: string[], recipient: Jurisdiction, program: Pick<ProgramRules, 'quietHours' | 'frequencyCap'>, kind: MessageKind, at: string, allowedNow: boolean, rule: string];

const PLAIN = { quietHours: null, frequencyCap: null };

const PLAN_ROWS: PlanRow[] = [
  ['inside the window, under the cap', '2026-03-10T16:00:00Z', [], FL, PLAIN, 'marketing', '2026-03-10T16:00:00.000Z', true, 'us-fl-hours'],
  [
    'a fourth Florida text: the cap moves it into the next morning window',
    '2026-03-10T19:00:00Z',
    ['2026-03-10T13:00:00Z', '2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'],
    FL, PLAIN, 'marketing', '2026-03-11T13:00:00.000Z', false, 'us-fl-cap',
  ],
  [
    'the cap opens at 19:30 EDT, still inside the window',
    '2026-03-11T12:00:00Z',
    ['2026-03-10T23:30:00Z', '2026-03-10T23:40:00Z', '2026-03-10T23:50:00Z'],
    FL, PLAIN, 'marketing', '2026-03-11T23:30:00.000Z', false, 'us-fl-cap',
  ],
  [
    'the cap opens at 20:30 EDT, after Florida closes: next morning',
    '2026-03-11T12:00:00Z',
    ['2026-03-11T00:30:00Z', '2026-03-11T00:40:00Z', '2026-03-11T00:50:00Z'],
    FL, PLAIN, 'marketing', '2026-03-12T12:00:00.000Z', false, 'us-fl-hours',
  ],
  [
    'night first, then the cap',
    '2026-03-10T02:00:00Z',
    ['2026-03-09T13:00:00Z', '2026-03-09T13:10:00Z', '2026-03-09T13:20:00Z'],
    FL, PLAIN, 'marketing', '2026-03-10T13:00:00.000Z', false, 'us-fl-cap',
  ],
  ['night only', '2026-03-10T02:00:00Z', [], FL, PLAIN, 'marketing', '2026-03-10T12:00:00.000Z', false, 'us-fl-hours'],
  [
    'a program window and a program cap together',
    '2026-03-10T15:00:00Z',
    ['2026-03-04T15:00:00Z', '2026-03-06T15:00:00Z', '2026-03-08T15:00:00Z', '2026-03-09T15:00:00Z'],
    TX, { quietHours: { start: '11:00', end: '17:00' }, frequencyCap: WEEKLY_FOUR }, 'marketing', '2026-03-11T16:00:00.000Z', false, 'program-quiet-hours',
  ],
  ['a HELP reply goes out at once', '2026-03-10T02:00:00Z', ['2026-03-09T23:00:00Z', '2026-03-09T23:10:00Z', '2026-03-09T23:20:00Z'], FL, PLAIN, 'help', '2026-03-10T02:00:00.000Z', true, 'reply-not-held'],
  ['an informational text ignores the cap but not the window', '2026-03-10T02:00:00Z', ['2026-03-09T23:00:00Z', '2026-03-09T23:10:00Z', '2026-03-09T23:20:00Z'], FL, PLAIN, 'informational', '2026-03-10T12:00:00.000Z', false, 'us-fl-hours'],
];

describe('planSend', () => {
  it.each(PLAN_ROWS)('%s', (_label, now, sent, recipient, program, kind, at, allowedNow, rule) => {
    const slot = planSend(new Date(now), { recipient, program, kind, sentMarketingAt: sent.map((iso) => new Date(iso)) });
    expect({ at: slot.at.toISOString(), allowedNow: slot.allowedNow, rule: slot.rule }).toEqual({ at, allowedNow, rule });
  });
});
