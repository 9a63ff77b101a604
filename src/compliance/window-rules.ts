// Send-window rules as data: one row per rule, each naming its source. Hours are the recipient's
// local time; a window is [start, end), so a text at exactly the closing minute is already late.
// Where sources disagree, the stricter reading is used and the row says so. Rows run from general
// to specific (federal before state, regional defaults before a country's own rows): on a tie the
// more specific row is the one reported.

export interface WindowRule {
  /** Stable id, reported as the deciding rule. */
  id: string;
  /** ISO 3166-1 countries the row covers. */
  countries: readonly string[];
  /** ISO 3166-2 subdivision; absent = the whole country. */
  region?: string;
  /** Days the row speaks about, 0 = Sunday … 6 = Saturday; absent = every day. */
  days?: readonly number[];
  /** The row speaks only about public holidays of this date-holidays calendar ('US-AL', 'FR'). */
  holidays?: string;
  hours: { start: string; end: string } | 'closed';
  source: string;
}

const SUNDAY = [0];
const MON_SAT = [1, 2, 3, 4, 5, 6];
const MON_FRI = [1, 2, 3, 4, 5];
const WEEKEND = [0, 6];

const US = ['US', 'PR', 'VI', 'GU', 'AS', 'MP'];
const EU_UK = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU',
  'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO', 'CH', 'GB', 'GG', 'JE', 'IM',
];
const APAC = ['JP', 'KR', 'HK', 'MO', 'TW', 'SG', 'MY', 'TH', 'VN', 'PH', 'ID', 'IN', 'NZ'];

const SECONDARY_US_TABLE = 'Drop Cowboy state table, 1 Nov 2025 (secondary; regulations.md §3 "Other stricter windows")';

function hours(start: string, end: string): WindowRule['hours'] {
  return { start, end };
}

function state(code: string, start: string, end: string, source: string): WindowRule {
  return { id: `us-${code.toLowerCase()}-hours`, countries: ['US'], region: `US-${code}`, hours: hours(start, end), source };
}

export const WINDOW_RULES: readonly WindowRule[] = [
  {
    id: 'us-federal-hours',
    countries: US,
    hours: hours('08:00', '21:00'),
    source: '47 CFR 64.1200(c)(1): no telephone solicitation before 8 a.m. or after 9 p.m. at the called party\'s location; texts are calls',
  },
  state('FL', '08:00', '20:00', 'Fla. Stat. 501.059, 501.616(6) (FTSA, SB 1120 2021): 8 a.m.–8 p.m.'),
  state('OK', '08:00', '20:00', '15 O.S. 775C.1 et seq. (OTSA, HB 3168, in force 1 Nov 2022): 8 a.m.–8 p.m.'),
  state('MD', '08:00', '20:00', 'Md. Stop the Spam Calls Act of 2023 (SB 90, in force 1 Jan 2024): 8 a.m.–8 p.m.'),
  state('CT', '09:00', '20:00', 'Conn. PA 23-98 (SB 1058, in force 1 Oct 2023): 9 a.m.–8 p.m.'),
  state('WA', '08:00', '20:00', 'RCW 19.158.040: commercial telephone solicitation 8 a.m.–8 p.m.'),
  {
    id: 'us-tx-hours',
    countries: ['US'],
    region: 'US-TX',
    days: MON_SAT,
    hours: hours('09:00', '21:00'),
    source: 'Tex. Bus. & Com. Code ch. 301 (SB 140 makes texts solicitations, in force 1 Sep 2025): 9 a.m.–9 p.m. Mon–Sat',
  },
  {
    id: 'us-tx-sunday',
    countries: ['US'],
    region: 'US-TX',
    days: SUNDAY,
    hours: hours('12:00', '21:00'),
    source: 'Tex. Bus. & Com. Code ch. 301: noon–9 p.m. on Sunday',
  },
  state('AL', '08:00', '20:00', 'Ala. Admin. Code r. 770-X-5-.17: 8 a.m.–8 p.m.'),
  { id: 'us-al-sunday', countries: ['US'], region: 'US-AL', days: SUNDAY, hours: 'closed', source: 'Ala. Admin. Code r. 770-X-5-.17: no Sunday solicitation' },
  {
    id: 'us-al-holiday',
    countries: ['US'],
    region: 'US-AL',
    holidays: 'US-AL',
    hours: 'closed',
    source: 'Ala. Admin. Code r. 770-X-5-.17: no solicitation on holidays; a Sunday holiday is observed on Monday',
  },
  {
    id: 'us-la-hours',
    countries: ['US'],
    region: 'US-LA',
    days: MON_SAT,
    hours: hours('08:00', '20:00'),
    source: 'La. R.S. 45:811, 45:844.31: 8 a.m.–8 p.m. Mon–Sat',
  },
  { id: 'us-la-sunday', countries: ['US'], region: 'US-LA', days: SUNDAY, hours: 'closed', source: 'La. R.S. 45:811: no Sunday solicitation' },
  {
    id: 'us-la-holiday',
    countries: ['US'],
    region: 'US-LA',
    holidays: 'US-LA',
    hours: 'closed',
    source: 'La. R.S. 45:811: no solicitation on state holidays (ad-hoc governor holidays are not in date-holidays)',
  },
  {
    id: 'us-ms-hours',
    countries: ['US'],
    region: 'US-MS',
    days: MON_SAT,
    hours: hours('08:00', '20:00'),
    source:
      'Miss. Code 77-3-603 says 8 a.m.–9 p.m. Mon–Sat; a Nov 2025 vendor table says 8 p.m.; the stricter 8 p.m. is used. Holiday ban lifted 2024',
  },
  { id: 'us-ms-sunday', countries: ['US'], region: 'US-MS', days: SUNDAY, hours: 'closed', source: 'Miss. Code 77-3-723, 77-3-603: no Sunday solicitation' },
  state('UT', '08:00', '21:00', 'Utah Code 13-25a-103: 8 a.m.–9 p.m.'),
  { id: 'us-ut-sunday', countries: ['US'], region: 'US-UT', days: SUNDAY, hours: 'closed', source: 'Utah Code 13-25a-103: no Sunday calls' },
  { id: 'us-ut-holiday', countries: ['US'], region: 'US-UT', holidays: 'US-UT', hours: 'closed', source: 'Utah Code 13-25a-103: no calls on legal holidays' },
  state('NY', '08:00', '21:00', 'N.Y. GBL 399-z: 8 a.m.–9 p.m.'),
  state('VA', '08:00', '21:00', 'Va. Code 59.1-511: 8 a.m.–9 p.m.'),
  state('GA', '08:00', '21:00', 'O.C.G.A. 46-5-187: 8 a.m.–9 p.m.'),
  state('KY', '10:00', '21:00', SECONDARY_US_TABLE),
  state('MA', '08:00', '20:00', SECONDARY_US_TABLE),
  state('MI', '09:00', '21:00', SECONDARY_US_TABLE),
  state('MN', '09:00', '21:00', SECONDARY_US_TABLE),
  state('NV', '09:00', '20:00', SECONDARY_US_TABLE),
  state('NM', '09:00', '21:00', SECONDARY_US_TABLE),
  state('PA', '08:00', '21:00', `${SECONDARY_US_TABLE}; its shorter Saturday hours are not given`),
  { id: 'us-pa-holiday', countries: ['US'], region: 'US-PA', holidays: 'US-PA', hours: 'closed', source: `${SECONDARY_US_TABLE}: no calls on holidays` },
  {
    id: 'us-ri-holiday',
    countries: ['US'],
    region: 'US-RI',
    holidays: 'US-RI',
    hours: 'closed',
    source: `${SECONDARY_US_TABLE}: holiday ban (its narrower hours are not given)`,
  },
  {
    id: 'ca-crtc-weekday',
    countries: ['CA'],
    days: MON_FRI,
    hours: hours('09:00', '21:30'),
    source: 'CRTC Unsolicited Telecommunications Rules, Part III: 9 a.m.–9:30 p.m. weekdays (https://crtc.gc.ca/eng/trules-reglest.htm; not in regulations.md)',
  },
  {
    id: 'ca-crtc-weekend',
    countries: ['CA'],
    days: WEEKEND,
    hours: hours('10:00', '18:00'),
    source: 'CRTC Unsolicited Telecommunications Rules, Part III: 10 a.m.–6 p.m. on weekends',
  },
  { id: 'apac-hours', countries: APAC, hours: hours('09:00', '20:00'), source: 'APAC quiet hours 20:00–09:00 (industry practice, regulations.md §8)' },
  {
    id: 'eu-uk-hours',
    countries: EU_UK,
    hours: hours('08:00', '20:00'),
    source: 'No statutory SMS hours identified (PECR, ePrivacy); conservative default from vendor quiet hours 20:00–08:00 (HubSpot, Vero; regulations.md §8)',
  },
  {
    id: 'au-hours',
    countries: ['AU', 'CX', 'CC', 'NF'],
    hours: hours('09:00', '20:00'),
    source:
      'No statutory SMS hours (Spam Act 2003); the 2017 telemarketing standard covers voice only. APAC quiet hours 20:00–09:00 are industry practice (unconfirmed, regulations.md §8)',
  },
  {
    id: 'cn-hours',
    countries: ['CN'],
    hours: hours('09:00', '20:00'),
    source: 'Sources disagree: 08:00–21:00 (Sent.dm 2025), 09:00–17:00 (2018 route note); APAC practice 20:00–09:00 quiet is used',
  },
  {
    id: 'fr-hours',
    countries: ['FR'],
    days: MON_SAT,
    hours: hours('10:00', '20:00'),
    source:
      'French SMS-marketing practice (not in regulations.md): sources give 08:00–20:00 or 10:00–20:00 (digitaleo.fr, citing LCEN); the stricter 10:00 is used',
  },
  { id: 'fr-sunday', countries: ['FR'], days: SUNDAY, hours: 'closed', source: 'French SMS-marketing practice: no commercial SMS on Sundays' },
  { id: 'fr-holiday', countries: ['FR'], holidays: 'FR', hours: 'closed', source: 'French SMS-marketing practice: no commercial SMS on public holidays' },
];

/** For every country no row names. */
export const DEFAULT_WINDOW_RULE: WindowRule = {
  id: 'intl-default-hours',
  countries: [],
  hours: hours('08:00', '20:00'),
  source: 'No rule identified for the country; vendor default quiet hours 20:00–08:00 (HubSpot, Vero; regulations.md §8)',
};

export const PROGRAM_RULE_ID = 'program-quiet-hours';

/**
 * Rows for a recipient. A US number whose state is unknown gets every state's rows: the window
 * must then satisfy the strictest combination.
 */
export function windowRulesFor(country: string, region: string | null): WindowRule[] {
  const rows = WINDOW_RULES.filter(
    (row) => row.countries.includes(country) && (!row.region || row.region === region || region === null),
  );
  return rows.length > 0 ? rows : [DEFAULT_WINDOW_RULE];
}
