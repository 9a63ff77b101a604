import { describe, expect, it } from 'vitest';
import {
  InvalidPhoneError,
  parsePhone,
  resolveJurisdiction,
  type Jurisdiction,
  type JurisdictionHints,
  type ParsedPhone,
} from '../../src/compliance/index.js';
import { importRows } from './fixtures.js';

const US_ZONES = [
  'America/Adak', 'America/Anchorage', 'America/Boise', 'America/Chicago', 'America/Denver', 'America/Juneau',
  'America/Los_Angeles', 'America/New_York', 'America/North_Dakota/Center', 'America/Phoenix', 'Pacific/Honolulu',
];

describe('parsePhone', () => {
  const valid: [input: string, defaultCountry: string | undefined, expected: ParsedPhone][] = [
    ['+19185550172', undefined, { e164: '+19185550172', country: 'US', numberType: 'FIXED_LINE_OR_MOBILE' }],
    ['(212) 555-0152', 'US', { e164: '+12125550152', country: 'US', numberType: 'FIXED_LINE_OR_MOBILE' }],
    ['212.555.0152', 'us', { e164: '+12125550152', country: 'US', numberType: 'FIXED_LINE_OR_MOBILE' }],
    ['+1 (850) 432-1234', undefined, { e164: '+18504321234', country: 'US', numberType: 'FIXED_LINE_OR_MOBILE' }],
    ['+18005550123', undefined, { e164: '+18005550123', country: 'US', numberType: 'TOLL_FREE' }],
    ['+14165550113', undefined, { e164: '+14165550113', country: 'CA', numberType: 'FIXED_LINE_OR_MOBILE' }],
    ['+447400123083', undefined, { e164: '+447400123083', country: 'GB', numberType: 'MOBILE' }],
    ['07400 123083', 'GB', { e164: '+447400123083', country: 'GB', numberType: 'MOBILE' }],
    ['+447911123456', undefined, { e164: '+447911123456', country: 'GG', numberType: 'MOBILE' }],
    ['+61412345628', undefined, { e164: '+61412345628', country: 'AU', numberType: 'MOBILE' }],
    ['0412 345 628', 'AU', { e164: '+61412345628', country: 'AU', numberType: 'MOBILE' }],
    ['+4915123456134', undefined, { e164: '+4915123456134', country: 'DE', numberType: 'MOBILE' }],
    ['+33612345678', undefined, { e164: '+33612345678', country: 'FR', numberType: 'MOBILE' }],
    ['+5511961234894', undefined, { e164: '+5511961234894', country: 'BR', numberType: 'MOBILE' }],
    ['+522221234567', undefined, { e164: '+522221234567', country: 'MX', numberType: 'FIXED_LINE_OR_MOBILE' }],
    ['+8613123456616', undefined, { e164: '+8613123456616', country: 'CN', numberType: 'MOBILE' }],
    // Fictional 555-01XX lines that the islands' metadata rejects are still importable.
    ['+12425550100', undefined, { e164: '+12425550100', country: 'BS', numberType: null }],
    ['+12465550142', undefined, { e164: '+12465550142', country: 'BB', numberType: null }],
  ];

  it.each(valid)('%s (default %s) → %j', (input, defaultCountry, expected) => {
    expect(parsePhone(input, defaultCountry)).toEqual(expected);
  });

  const invalid: [input: string, defaultCountry: string | undefined, reason: string][] = [
    ['', undefined, 'empty'],
    ['   ', 'US', 'empty'],
    ['hello', undefined, 'not_a_number'],
    ['+1212555ABCD', undefined, 'not_a_number'],
    ['1-800-FLOWERS', 'US', 'not_a_number'],
    ['+1 555 0100', undefined, 'too_short'],
    ['12345', 'US', 'too_short'],
    ['+1212555010099', undefined, 'too_long'],
    ['2125550152', undefined, 'invalid_country'],
    ['+15235550100', undefined, 'invalid_for_country'],
    ['+16245550100', undefined, 'invalid_for_country'],
  ];

  it.each(invalid)('%j (default %s) is refused: %s', (input, defaultCountry, reason) => {
    const attempt = () => parsePhone(input, defaultCountry);
    expect(attempt).toThrow(InvalidPhoneError);
    expect(reasonOf(attempt)).toBe(reason);
  });

  it('accepts every well-formed number of the demo import and agrees with its country column', () => {
    const broken = new Map([
      ['+1 555 0100', 'too_short'],
      ['12345', 'too_short'],
      ['+1212555ABCD', 'not_a_number'],
    ]);
    for (const row of importRows()) {
      const expectedFailure = broken.get(row.phone);
      if (expectedFailure) {
        expect(reasonOf(() => parsePhone(row.phone, row.country)), `line ${row.line}`).toBe(expectedFailure);
      } else {
        expect(parsePhone(row.phone).country, `line ${row.line} ${row.phone}`).toBe(row.country);
      }
    }
  });
});

describe('resolveJurisdiction', () => {
  const rows: [e164: string, hints: JurisdictionHints, expected: Jurisdiction][] = [
    ['+18504321234', {}, us('US-FL', ['America/Chicago'])],
    ['+18505550100', {}, us('US-FL', ['America/New_York'])],
    ['+16055550145', {}, us('US-SD', ['America/Denver', 'America/North_Dakota/Center'])],
    ['+12085550144', {}, us('US-ID', ['America/Boise', 'America/Los_Angeles'])],
    ['+19185550172', {}, us('US-OK', ['America/Chicago'])],
    ['+14055550193', {}, us('US-OK', ['America/Chicago'])],
    ['+12035550126', {}, us('US-CT', ['America/New_York'])],
    ['+15125550118', {}, us('US-TX', ['America/Chicago'])],
    ['+12055550133', {}, us('US-AL', ['America/Chicago'])],
    ['+15045550188', {}, us('US-LA', ['America/Chicago'])],
    ['+16015550175', {}, us('US-MS', ['America/Chicago'])],
    ['+18015550118', {}, us('US-UT', ['America/Denver'])],
    ['+13015550112', {}, us('US-MD', ['America/New_York'])],
    ['+12065550139', {}, us('US-WA', ['America/Los_Angeles'])],
    ['+12705550102', {}, us('US-KY', ['America/New_York'])],
    ['+12125550152', { region: 'CA' }, us('US-NY', ['America/New_York'])],
    ['+14075550129', { zip: '32501', region: 'FL' }, us('US-FL', ['America/New_York', 'America/Chicago'], 'strictest')],
    ['+14165550113', {}, ca('CA-ON', ['America/Toronto'])],
    ['+17095550111', {}, ca('CA-NL', ['America/Puerto_Rico', 'America/St_Johns'])],
    ['+14035550166', {}, ca('CA-AB', ['America/Edmonton'])],
    ['+15145550172', {}, ca('CA-QC', ['America/Toronto'])],
    ['+16045550100', {}, ca('CA-BC', ['America/Vancouver'])],
    ['+18005550123', {}, tollFree(null, US_ZONES, 'strictest')],
    ['+18005550123', { zip: '33130' }, tollFree(null, ['America/New_York'], 'zip')],
    ['+18005550123', { zip: '85001' }, tollFree(null, ['America/Phoenix'], 'zip')],
    ['+18005550123', { zip: '10001-1234' }, tollFree(null, ['America/New_York'], 'zip')],
    ['+18005550123', { zip: '99999' }, tollFree(null, US_ZONES, 'strictest')],
    ['+18005550123', { region: 'FL' }, tollFree('US-FL', ['America/Chicago', 'America/New_York'], 'region')],
    ['+18005550123', { region: 'US-TX' }, tollFree('US-TX', ['America/Chicago', 'America/Denver'], 'region')],
    ['+18005550123', { region: 'ON' }, tollFree(null, US_ZONES, 'strictest')],
    ['+18005550123', { region: 'FL', zip: '32501' }, tollFree('US-FL', ['America/Chicago'], 'zip')],
    ['+447400123083', {}, other('GB', 'MOBILE', ['Europe/Guernsey', 'Europe/Isle_of_Man', 'Europe/London'], 'number')],
    ['+61412345628', {}, other('AU', 'MOBILE', ['Australia/Sydney'], 'number')],
    ['+4915123456134', {}, other('DE', 'MOBILE', ['Europe/Berlin'], 'country')],
    ['+33612345678', {}, other('FR', 'MOBILE', ['Europe/Paris'], 'country')],
    ['+5511961234894', {}, other('BR', 'MOBILE', ['America/Sao_Paulo'], 'number')],
    ['+522221234567', {}, other('MX', 'FIXED_LINE_OR_MOBILE', ['America/Mexico_City'], 'number')],
    ['+8613123456616', {}, other('CN', 'MOBILE', ['Asia/Shanghai'], 'number')],
  ];

  it.each(rows)('%s %j', (e164, hints, expected) => {
    expect(resolveJurisdiction(e164, hints)).toEqual(expected);
  });

  it('refuses text that is not E.164', () => {
    expect(reasonOf(() => resolveJurisdiction('2125550152'))).toBe('not_a_number');
  });

  it('gives the same country and type as a full parse for numbers sharing a cached block', () => {
    const rows = importRows().filter((row) => /^\+\d{11,14}$/.test(row.phone));
    for (const row of rows) {
      const sibling = `${row.phone.slice(0, -2)}${String((Number(row.phone.slice(-2)) + 37) % 100).padStart(2, '0')}`;
      for (const number of [row.phone, sibling]) {
        const full = parsePhone(number);
        const resolved = resolveJurisdiction(number);
        expect([resolved.country, resolved.numberType], number).toEqual([full.country, full.numberType]);
      }
    }
  });
});

function us(region: string, timeZones: string[], zoneBasis: Jurisdiction['zoneBasis'] = 'number'): Jurisdiction {
  return { country: 'US', numberType: 'FIXED_LINE_OR_MOBILE', region, timeZones, zoneBasis };
}

function ca(region: string, timeZones: string[]): Jurisdiction {
  return { country: 'CA', numberType: 'FIXED_LINE_OR_MOBILE', region, timeZones, zoneBasis: 'number' };
}

function tollFree(region: string | null, timeZones: string[], zoneBasis: Jurisdiction['zoneBasis']): Jurisdiction {
  return { country: 'US', numberType: 'TOLL_FREE', region, timeZones, zoneBasis };
}

function other(country: string, numberType: string, timeZones: string[], zoneBasis: Jurisdiction['zoneBasis']): Jurisdiction {
  return { country, numberType, region: null, timeZones, zoneBasis };
}

function reasonOf(attempt: () => unknown): string | null {
  try {
    attempt();
    return null;
  } catch (err) {
    return err instanceof InvalidPhoneError ? err.reason : `unexpected ${String(err)}`;
  }
}
