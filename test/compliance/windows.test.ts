import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  NoSendWindowError,
  WINDOW_RULES,
  nextAllowedSendTime,
  type Jurisdiction,
  type MessageKind,
  type QuietHours,
} from '../../src/compliance/index.js';
import { wallRangeToUtc } from '../../src/compliance/zone-clock.js';
import { jurisdiction } from './fixtures.js';

const NY = ['America/New_York'];
const CHICAGO = ['America/Chicago'];
const US_ZONES = [
  'America/Adak', 'America/Anchorage', 'America/Boise', 'America/Chicago', 'America/Denver', 'America/Juneau',
  'America/Los_Angeles', 'America/New_York', 'America/North_Dakota/Center', 'America/Phoenix', 'Pacific/Honolulu',
];

const NJ = jurisdiction({ region: 'US-NJ', timeZones: NY }); // federal hours only
const FL_PENSACOLA = jurisdiction({ region: 'US-FL', timeZones: CHICAGO }); // +1 850 432 …
const FL_850 = jurisdiction({ region: 'US-FL', timeZones: NY }); // +1 850 555 …
const TX = jurisdiction({ region: 'US-TX', timeZones: CHICAGO });
const AL = jurisdiction({ region: 'US-AL', timeZones: CHICAGO });
const LA = jurisdiction({ region: 'US-LA', timeZones: CHICAGO });
const MS = jurisdiction({ region: 'US-MS', timeZones: CHICAGO });
const UT = jurisdiction({ region: 'US-UT', timeZones: ['America/Denver'] });
const CT = jurisdiction({ region: 'US-CT', timeZones: NY });
const OK = jurisdiction({ region: 'US-OK', timeZones: CHICAGO });
const KY = jurisdiction({ region: 'US-KY', timeZones: NY });
const TOLL_FREE = jurisdiction({ numberType: 'TOLL_FREE', timeZones: US_ZONES, zoneBasis: 'strictest' });
const TOLL_FREE_MIAMI = jurisdiction({ numberType: 'TOLL_FREE', timeZones: NY, zoneBasis: 'zip' });
const ON = jurisdiction({ country: 'CA', region: 'CA-ON', timeZones: ['America/Toronto'] });
const NL = jurisdiction({ country: 'CA', region: 'CA-NL', timeZones: ['America/Puerto_Rico', 'America/St_Johns'] });
const SYDNEY = jurisdiction({ country: 'AU', numberType: 'MOBILE', timeZones: ['Australia/Sydney'] });
const FR = jurisdiction({ country: 'FR', numberType: 'MOBILE', timeZones: ['Europe/Paris'], zoneBasis: 'country' });
const GB = jurisdiction({ country: 'GB', numberType: 'MOBILE', timeZones: ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London'] });
const DE = jurisdiction({ country: 'DE', numberType: 'MOBILE', timeZones: ['Europe/Berlin'], zoneBasis: 'country' });
const CN = jurisdiction({ country: 'CN', numberType: 'MOBILE', timeZones: ['Asia/Shanghai'] });
const BR = jurisdiction({ country: 'BR', numberType: 'MOBILE', timeZones: ['America/Sao_Paulo'] });
const MX = jurisdiction({ country: 'MX', timeZones: ['America/Mexico_City'] });

type Row = [
  label: string,
  now: string,
  recipient: Jurisdiction,
  quietHours: QuietHours | null,
  kind: MessageKind,
  at: string,
  allowedNow: boolean,
  rule: string,
  zone: string | null,
];

const HELD: Row[] = [
  // America/New_York, spring forward 2026-03-08 02:00 EST → 03:00 EDT
  ['NY 01:30 EST on the spring-forward day', '2026-03-08T06:30:00Z', NJ, null, 'marketing', '2026-03-08T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['NY 03:30 EDT, just after the jump', '2026-03-08T07:30:00Z', NJ, null, 'marketing', '2026-03-08T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['NY 07:59 EDT', '2026-03-08T11:59:00Z', NJ, null, 'marketing', '2026-03-08T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['NY 08:00 EDT', '2026-03-08T12:00:00Z', NJ, null, 'marketing', '2026-03-08T12:00:00.000Z', true, 'us-federal-hours', 'America/New_York'],
  ['NY 20:59 EDT', '2026-03-09T00:59:00Z', NJ, null, 'marketing', '2026-03-09T00:59:00.000Z', true, 'us-federal-hours', 'America/New_York'],
  ['NY 21:00 EDT closes', '2026-03-09T01:00:00Z', NJ, null, 'marketing', '2026-03-09T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  // America/New_York, fall back 2026-11-01 02:00 EDT → 01:00 EST
  ['NY 01:30 EDT, first pass', '2026-11-01T05:30:00Z', NJ, null, 'marketing', '2026-11-01T13:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['NY 01:30 EST, second pass', '2026-11-01T06:30:00Z', NJ, null, 'marketing', '2026-11-01T13:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['NY 07:30 EST after fall back', '2026-11-01T12:30:00Z', NJ, null, 'marketing', '2026-11-01T13:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['NY 08:00 EST after fall back', '2026-11-01T13:00:00Z', NJ, null, 'marketing', '2026-11-01T13:00:00.000Z', true, 'us-federal-hours', 'America/New_York'],
  ['NY 20:59 EST', '2026-11-02T01:59:00Z', NJ, null, 'marketing', '2026-11-02T01:59:00.000Z', true, 'us-federal-hours', 'America/New_York'],
  ['NY 21:00 EST', '2026-11-02T02:00:00Z', NJ, null, 'marketing', '2026-11-02T13:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  // Australia/Sydney, DST ends 2026-04-05 03:00 AEDT → 02:00 AEST (a Sunday)
  ['Sydney 02:30 AEDT, first pass', '2026-04-04T15:30:00Z', SYDNEY, null, 'marketing', '2026-04-04T23:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  ['Sydney 02:30 AEST, second pass', '2026-04-04T16:30:00Z', SYDNEY, null, 'marketing', '2026-04-04T23:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  ['Sydney 08:59 AEST', '2026-04-04T22:59:00Z', SYDNEY, null, 'marketing', '2026-04-04T23:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  ['Sydney 19:59 AEST', '2026-04-05T09:59:00Z', SYDNEY, null, 'marketing', '2026-04-05T09:59:00.000Z', true, 'au-hours', 'Australia/Sydney'],
  ['Sydney 20:00 AEST', '2026-04-05T10:00:00Z', SYDNEY, null, 'marketing', '2026-04-05T23:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  // Australia/Sydney, DST starts 2026-10-04 02:00 AEST → 03:00 AEDT
  ['Sydney 01:00 AEST before the jump', '2026-10-03T15:00:00Z', SYDNEY, null, 'marketing', '2026-10-03T22:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  ['Sydney 03:30 AEDT after the jump', '2026-10-03T16:30:00Z', SYDNEY, null, 'marketing', '2026-10-03T22:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  ['Sydney 19:59 AEDT', '2026-10-04T08:59:00Z', SYDNEY, null, 'marketing', '2026-10-04T08:59:00.000Z', true, 'au-hours', 'Australia/Sydney'],
  ['Sydney 20:00 AEDT', '2026-10-04T09:00:00Z', SYDNEY, null, 'marketing', '2026-10-04T22:00:00.000Z', false, 'au-hours', 'Australia/Sydney'],
  ['Sydney on a Sunday morning', '2026-03-14T23:00:00Z', SYDNEY, null, 'marketing', '2026-03-14T23:00:00.000Z', true, 'au-hours', 'Australia/Sydney'],
  // Area code 850 spans two zones: Pensacola exchanges are Central, the rest Eastern
  ['850-432 Pensacola 07:30 CDT', '2026-03-10T12:30:00Z', FL_PENSACOLA, null, 'marketing', '2026-03-10T13:00:00.000Z', false, 'us-fl-hours', 'America/Chicago'],
  ['850-555 08:30 EDT', '2026-03-10T12:30:00Z', FL_850, null, 'marketing', '2026-03-10T12:30:00.000Z', true, 'us-fl-hours', 'America/New_York'],
  ['850-432 Pensacola 19:30 CDT', '2026-03-11T00:30:00Z', FL_PENSACOLA, null, 'marketing', '2026-03-11T00:30:00.000Z', true, 'us-fl-hours', 'America/Chicago'],
  ['850-555 20:30 EDT', '2026-03-11T00:30:00Z', FL_850, null, 'marketing', '2026-03-11T12:00:00.000Z', false, 'us-fl-hours', 'America/New_York'],
  ['FL 20:00 EDT exactly', '2026-03-11T00:00:00Z', FL_850, null, 'marketing', '2026-03-11T12:00:00.000Z', false, 'us-fl-hours', 'America/New_York'],
  ['OK 20:15 CDT', '2026-03-11T01:15:00Z', OK, null, 'marketing', '2026-03-11T13:00:00.000Z', false, 'us-ok-hours', 'America/Chicago'],
  ['CT 08:30 EDT', '2026-03-10T12:30:00Z', CT, null, 'marketing', '2026-03-10T13:00:00.000Z', false, 'us-ct-hours', 'America/New_York'],
  ['KY 09:30 EDT (secondary table: 10:00)', '2026-03-10T13:30:00Z', KY, null, 'marketing', '2026-03-10T14:00:00.000Z', false, 'us-ky-hours', 'America/New_York'],
  // Texas: 9–9 Monday to Saturday, noon–9 on Sunday
  ['TX Sunday 10:00 CDT', '2026-03-15T15:00:00Z', TX, null, 'marketing', '2026-03-15T17:00:00.000Z', false, 'us-tx-sunday', 'America/Chicago'],
  ['TX Sunday 12:00 CDT', '2026-03-15T17:00:00Z', TX, null, 'marketing', '2026-03-15T17:00:00.000Z', true, 'us-tx-sunday', 'America/Chicago'],
  ['TX Saturday 08:30 CDT', '2026-03-14T13:30:00Z', TX, null, 'marketing', '2026-03-14T14:00:00.000Z', false, 'us-tx-hours', 'America/Chicago'],
  ['TX Saturday 21:00 CDT → Sunday noon', '2026-03-15T02:00:00Z', TX, null, 'marketing', '2026-03-15T17:00:00.000Z', false, 'us-tx-hours', 'America/Chicago'],
  ['TX Monday 09:00 CDT', '2026-03-16T14:00:00Z', TX, null, 'marketing', '2026-03-16T14:00:00.000Z', true, 'us-tx-hours', 'America/Chicago'],
  // Alabama: no Sundays, no state holidays
  ['AL on MLK / Robert E. Lee Day', '2026-01-19T16:00:00Z', AL, null, 'marketing', '2026-01-20T14:00:00.000Z', false, 'us-al-holiday', 'America/Chicago'],
  ['AL on Confederate Memorial Day', '2026-04-27T15:00:00Z', AL, null, 'marketing', '2026-04-28T13:00:00.000Z', false, 'us-al-holiday', 'America/Chicago'],
  ['AL on the Independence Day substitute (Fri) → Monday', '2026-07-03T15:00:00Z', AL, null, 'marketing', '2026-07-06T13:00:00.000Z', false, 'us-al-holiday', 'America/Chicago'],
  ['AL on Christmas', '2026-12-25T15:00:00Z', AL, null, 'marketing', '2026-12-26T14:00:00.000Z', false, 'us-al-holiday', 'America/Chicago'],
  ['AL Saturday 21:00 → Monday', '2026-03-15T02:00:00Z', AL, null, 'marketing', '2026-03-16T13:00:00.000Z', false, 'us-al-hours', 'America/Chicago'],
  ['AL Sunday noon', '2026-03-15T17:00:00Z', AL, null, 'marketing', '2026-03-16T13:00:00.000Z', false, 'us-al-sunday', 'America/Chicago'],
  ['AL Tuesday 10:00', '2026-03-17T15:00:00Z', AL, null, 'marketing', '2026-03-17T15:00:00.000Z', true, 'us-al-hours', 'America/Chicago'],
  ['LA on Mardi Gras', '2026-02-17T16:00:00Z', LA, null, 'marketing', '2026-02-18T14:00:00.000Z', false, 'us-la-holiday', 'America/Chicago'],
  ['LA on Good Friday', '2026-04-03T15:00:00Z', LA, null, 'marketing', '2026-04-04T13:00:00.000Z', false, 'us-la-holiday', 'America/Chicago'],
  ['LA Sunday', '2026-03-15T17:00:00Z', LA, null, 'marketing', '2026-03-16T13:00:00.000Z', false, 'us-la-sunday', 'America/Chicago'],
  ['MS Sunday', '2026-03-15T17:00:00Z', MS, null, 'marketing', '2026-03-16T13:00:00.000Z', false, 'us-ms-sunday', 'America/Chicago'],
  ['MS Monday 20:30 CDT (stricter 8 p.m. reading)', '2026-03-17T01:30:00Z', MS, null, 'marketing', '2026-03-17T13:00:00.000Z', false, 'us-ms-hours', 'America/Chicago'],
  ['MS holiday is not closed (ban lifted 2024)', '2026-01-19T16:00:00Z', MS, null, 'marketing', '2026-01-19T16:00:00.000Z', true, 'us-ms-hours', 'America/Chicago'],
  ['UT on Pioneer Day', '2026-07-24T16:00:00Z', UT, null, 'marketing', '2026-07-25T14:00:00.000Z', false, 'us-ut-holiday', 'America/Denver'],
  ['UT Sunday', '2026-03-15T17:00:00Z', UT, null, 'marketing', '2026-03-16T14:00:00.000Z', false, 'us-ut-sunday', 'America/Denver'],
  // Canada: CRTC telemarketing hours
  ['ON Tuesday 21:30 EDT', '2026-03-11T01:30:00Z', ON, null, 'marketing', '2026-03-11T13:00:00.000Z', false, 'ca-crtc-weekday', 'America/Toronto'],
  ['ON Tuesday 21:29 EDT', '2026-03-11T01:29:00Z', ON, null, 'marketing', '2026-03-11T01:29:00.000Z', true, 'ca-crtc-weekday', 'America/Toronto'],
  ['ON Saturday 09:30 EDT', '2026-03-14T13:30:00Z', ON, null, 'marketing', '2026-03-14T14:00:00.000Z', false, 'ca-crtc-weekend', 'America/Toronto'],
  ['ON Saturday 18:00 EDT → Sunday 10:00', '2026-03-14T22:00:00Z', ON, null, 'marketing', '2026-03-15T14:00:00.000Z', false, 'ca-crtc-weekend', 'America/Toronto'],
  ['NL: Atlantic zone opens last', '2026-03-10T12:00:00Z', NL, null, 'marketing', '2026-03-10T13:00:00.000Z', false, 'ca-crtc-weekday', 'America/Puerto_Rico'],
  ['NL: Newfoundland closes first', '2026-03-11T00:00:00Z', NL, null, 'marketing', '2026-03-11T13:00:00.000Z', false, 'ca-crtc-weekday', 'America/St_Johns'],
  ['NL: inside both', '2026-03-10T14:00:00Z', NL, null, 'marketing', '2026-03-10T14:00:00.000Z', true, 'ca-crtc-weekday', 'America/St_Johns'],
  // Europe, China, elsewhere
  ['FR Sunday', '2026-03-15T10:00:00Z', FR, null, 'marketing', '2026-03-16T09:00:00.000Z', false, 'fr-sunday', 'Europe/Paris'],
  ['FR Easter Monday', '2026-04-06T10:00:00Z', FR, null, 'marketing', '2026-04-07T08:00:00.000Z', false, 'fr-holiday', 'Europe/Paris'],
  ['FR Saturday 09:30 CET', '2026-03-14T08:30:00Z', FR, null, 'marketing', '2026-03-14T09:00:00.000Z', false, 'fr-hours', 'Europe/Paris'],
  ['FR Saturday 20:00 CET → Monday', '2026-03-14T19:00:00Z', FR, null, 'marketing', '2026-03-16T09:00:00.000Z', false, 'fr-hours', 'Europe/Paris'],
  ['GB 07:30 GMT', '2026-03-10T07:30:00Z', GB, null, 'marketing', '2026-03-10T08:00:00.000Z', false, 'eu-uk-hours', 'Europe/Guernsey'],
  ['GB 07:30 BST on the EU spring-forward day', '2026-03-29T06:30:00Z', GB, null, 'marketing', '2026-03-29T07:00:00.000Z', false, 'eu-uk-hours', 'Europe/Guernsey'],
  ['DE 20:00 CET', '2026-03-10T19:00:00Z', DE, null, 'marketing', '2026-03-11T07:00:00.000Z', false, 'eu-uk-hours', 'Europe/Berlin'],
  ['CN 08:00', '2026-03-10T00:00:00Z', CN, null, 'marketing', '2026-03-10T01:00:00.000Z', false, 'cn-hours', 'Asia/Shanghai'],
  ['CN 20:00', '2026-03-10T12:00:00Z', CN, null, 'marketing', '2026-03-11T01:00:00.000Z', false, 'cn-hours', 'Asia/Shanghai'],
  ['BR 07:00', '2026-03-10T10:00:00Z', BR, null, 'marketing', '2026-03-10T11:00:00.000Z', false, 'intl-default-hours', 'America/Sao_Paulo'],
  ['MX 20:30', '2026-03-11T02:30:00Z', MX, null, 'marketing', '2026-03-11T14:00:00.000Z', false, 'intl-default-hours', 'America/Mexico_City'],
  // Toll-free: state and zone unknown, so every US zone and every state's rule
  ['toll-free Tuesday 15:00Z', '2026-03-17T15:00:00Z', TOLL_FREE, null, 'marketing', '2026-03-17T20:00:00.000Z', false, 'us-ky-hours', 'Pacific/Honolulu'],
  ['toll-free Sunday → Monday', '2026-03-15T15:00:00Z', TOLL_FREE, null, 'marketing', '2026-03-16T20:00:00.000Z', false, 'us-ut-sunday', 'Pacific/Honolulu'],
  ['toll-free with a Miami ZIP', '2026-03-17T13:30:00Z', TOLL_FREE_MIAMI, null, 'marketing', '2026-03-17T14:00:00.000Z', false, 'us-ky-hours', 'America/New_York'],
  ['toll-free with a Miami ZIP at 16:00 EDT', '2026-03-17T20:00:00Z', TOLL_FREE_MIAMI, null, 'marketing', '2026-03-17T20:00:00.000Z', true, 'us-nv-hours', 'America/New_York'],
];

const PROGRAM_WINDOWS: Row[] = [
  ['program narrows to 10–18: 09:00', '2026-03-10T13:00:00Z', NJ, { start: '10:00', end: '18:00' }, 'marketing', '2026-03-10T14:00:00.000Z', false, 'program-quiet-hours', 'America/New_York'],
  ['program narrows to 10–18: 18:00', '2026-03-10T22:00:00Z', NJ, { start: '10:00', end: '18:00' }, 'marketing', '2026-03-11T14:00:00.000Z', false, 'program-quiet-hours', 'America/New_York'],
  ['program narrows to 10–18: noon', '2026-03-10T16:00:00Z', NJ, { start: '10:00', end: '18:00' }, 'marketing', '2026-03-10T16:00:00.000Z', true, 'program-quiet-hours', 'America/New_York'],
  ['program tries 07–23: law wins at 07:30', '2026-03-10T11:30:00Z', NJ, { start: '07:00', end: '23:00' }, 'marketing', '2026-03-10T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['program tries 07–23: law wins at 21:30', '2026-03-11T01:30:00Z', NJ, { start: '07:00', end: '23:00' }, 'marketing', '2026-03-11T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['program tries 07–23 in Florida: 20:30', '2026-03-11T00:30:00Z', FL_850, { start: '07:00', end: '23:00' }, 'marketing', '2026-03-11T12:00:00.000Z', false, 'us-fl-hours', 'America/New_York'],
  ['program equal to the law: the law is reported', '2026-03-10T11:00:00Z', NJ, { start: '08:00', end: '21:00' }, 'marketing', '2026-03-10T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['program 10–18 in Texas on Sunday: law starts later', '2026-03-15T16:00:00Z', TX, { start: '10:00', end: '18:00' }, 'marketing', '2026-03-15T17:00:00.000Z', false, 'us-tx-sunday', 'America/Chicago'],
];

const KINDS: Row[] = [
  ['HELP reply at 03:00', '2026-03-10T07:00:00Z', NJ, null, 'help', '2026-03-10T07:00:00.000Z', true, 'reply-not-held', null],
  ['STOP confirmation on an Alabama Sunday', '2026-03-15T17:00:00Z', AL, null, 'stop_confirmation', '2026-03-15T17:00:00.000Z', true, 'reply-not-held', null],
  ['welcome at 23:00', '2026-03-11T03:00:00Z', NJ, null, 'welcome', '2026-03-11T03:00:00.000Z', true, 'reply-not-held', null],
  ['confirmation request at 23:00', '2026-03-11T03:00:00Z', NJ, null, 'confirmation_request', '2026-03-11T03:00:00.000Z', true, 'reply-not-held', null],
  ['clarification at 05:00', '2026-03-10T09:00:00Z', NJ, null, 'clarification', '2026-03-10T09:00:00.000Z', true, 'reply-not-held', null],
  ['emergency at 02:00', '2026-03-10T06:00:00Z', NJ, null, 'emergency', '2026-03-10T06:00:00.000Z', true, 'emergency-not-held', null],
  ['transactional is held on an Alabama Sunday', '2026-03-15T17:00:00Z', AL, null, 'transactional', '2026-03-16T13:00:00.000Z', false, 'us-al-sunday', 'America/Chicago'],
  ['informational at 22:00', '2026-03-11T02:00:00Z', NJ, null, 'informational', '2026-03-11T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['reminder at 06:00', '2026-03-10T10:00:00Z', NJ, null, 'reminder', '2026-03-10T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['reconsent at 06:00', '2026-03-10T10:00:00Z', NJ, null, 'reconsent', '2026-03-10T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
  ['policy notice at 06:00', '2026-03-10T10:00:00Z', NJ, null, 'policy_notice', '2026-03-10T12:00:00.000Z', false, 'us-federal-hours', 'America/New_York'],
];

describe('nextAllowedSendTime', () => {
  it.each([...HELD, ...PROGRAM_WINDOWS, ...KINDS])('%s', (_label, now, recipient, quietHours, kind, at, allowedNow, rule, zone) => {
    const decision = nextAllowedSendTime(new Date(now), recipient, { quietHours }, kind);
    expect({ at: decision.at.toISOString(), allowedNow: decision.allowedNow, rule: decision.rule, zone: decision.zone }).toEqual({ at, allowedNow, rule, zone });
  });

  it('explains a hold in local time', () => {
    const decision = nextAllowedSendTime(new Date('2026-03-15T15:00:00Z'), TX, { quietHours: null }, 'marketing');
    expect(decision.reason).toBe('held: 2026-03-15 10:00 in America/Chicago is before 12:00 (us-tx-sunday); next allowed 2026-03-15 12:00 local');
  });

  it('lands on a local time that is inside the window in every candidate zone', () => {
    const decision = nextAllowedSendTime(new Date('2026-03-17T15:00:00Z'), TOLL_FREE, { quietHours: null }, 'marketing');
    for (const zone of US_ZONES) {
      const local = DateTime.fromJSDate(decision.at, { zone });
      expect(local.hour * 60 + local.minute, zone).toBeGreaterThanOrEqual(10 * 60);
      expect(local.hour * 60 + local.minute, zone).toBeLessThan(20 * 60);
    }
  });

  it('refuses a program window the law never opens', () => {
    expect(() => nextAllowedSendTime(new Date('2026-03-10T12:00:00Z'), NJ, { quietHours: { start: '21:30', end: '23:00' } }, 'marketing')).toThrow(NoSendWindowError);
  });

  it.each([
    [{ start: '18:00', end: '10:00' }],
    [{ start: '9:00', end: '17:00' }],
    [{ start: '09:00', end: '25:00' }],
  ])('rejects malformed program hours %j', (quietHours) => {
    expect(() => nextAllowedSendTime(new Date('2026-03-10T12:00:00Z'), NJ, { quietHours }, 'marketing')).toThrow(RangeError);
  });

  it('names a source for every row of the window table', () => {
    for (const row of WINDOW_RULES) {
      expect(row.source.length, row.id).toBeGreaterThan(10);
    }
    expect(new Set(WINDOW_RULES.map((row) => row.id)).size).toBe(WINDOW_RULES.length);
  });
});

describe('wallRangeToUtc', () => {
  const wall = (iso: string) => Date.parse(`${iso}Z`);
  const rows: [label: string, zone: string, from: string, to: string, expected: [string, string][]][] = [
    ['a start inside the spring-forward gap opens when the gap ends', 'America/New_York', '2026-03-08T02:30', '2026-03-08T04:00', [['2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z']]],
    ['the skipped hour does not exist', 'America/New_York', '2026-03-08T02:00', '2026-03-08T03:00', []],
    ['the repeated hour happens twice', 'America/New_York', '2026-11-01T01:00', '2026-11-01T02:00', [['2026-11-01T05:00:00.000Z', '2026-11-01T07:00:00.000Z']]],
    [
      'a quarter inside the repeated hour, twice',
      'America/New_York',
      '2026-11-01T01:30',
      '2026-11-01T01:45',
      [['2026-11-01T05:30:00.000Z', '2026-11-01T05:45:00.000Z'], ['2026-11-01T06:30:00.000Z', '2026-11-01T06:45:00.000Z']],
    ],
    ['Lord Howe moves its clock by 30 minutes', 'Australia/Lord_Howe', '2026-04-05T01:30', '2026-04-05T02:00', [['2026-04-04T14:30:00.000Z', '2026-04-04T15:30:00.000Z']]],
    ['an ordinary day', 'Europe/Paris', '2026-03-10T10:00', '2026-03-10T20:00', [['2026-03-10T09:00:00.000Z', '2026-03-10T19:00:00.000Z']]],
  ];

  it.each(rows)('%s', (_label, zone, from, to, expected) => {
    const intervals = wallRangeToUtc(zone, wall(from), wall(to)).map(({ start, end }) => [new Date(start).toISOString(), new Date(end).toISOString()]);
    expect(intervals).toEqual(expected);
  });
});
