import { describe, expect, it } from 'vitest';
import {
  canSend,
  consentExpiresAt,
  evaluateOptIn,
  parsePhone,
  resolveJurisdiction,
  type ConsentRecord,
  type ConsentType,
  type Jurisdiction,
  type MessageKind,
  type OptInInput,
  type ProgramRules,
} from '../../src/compliance/index.js';
import { buildProgram, importRows, jurisdiction } from './fixtures.js';

const NY = jurisdiction({ region: 'US-NY' });
const LA = jurisdiction({ region: 'US-LA', timeZones: ['America/Chicago'] });
const TOLL_FREE = jurisdiction({ numberType: 'TOLL_FREE', region: null, zoneBasis: 'zip' });
const ON = jurisdiction({ country: 'CA', region: 'CA-ON', timeZones: ['America/Toronto'] });
const AU = jurisdiction({ country: 'AU', numberType: 'MOBILE', timeZones: ['Australia/Sydney'] });
const GB = jurisdiction({ country: 'GB', numberType: 'MOBILE', timeZones: ['Europe/London'] });
const GG = jurisdiction({ country: 'GG', numberType: 'MOBILE', timeZones: ['Europe/Guernsey'] });
const DE = jurisdiction({ country: 'DE', numberType: 'MOBILE', timeZones: ['Europe/Berlin'] });
const FR = jurisdiction({ country: 'FR', numberType: 'MOBILE', timeZones: ['Europe/Paris'] });
const MX = jurisdiction({ country: 'MX', timeZones: ['America/Mexico_City'] });
const BR = jurisdiction({ country: 'BR', numberType: 'MOBILE', timeZones: ['America/Sao_Paulo'] });

const AT = '2026-11-01T12:00:00Z';

function consent(type: ConsentType, givenAt = '2026-01-15T12:00:00Z', extra: Partial<ConsentRecord> = {}): ConsentRecord {
  return { type, givenAt: new Date(givenAt), purchaseAt: null, inquiryAt: null, ...extra };
}

type SendRow = [label: string, kind: MessageKind, record: ConsentRecord | null, where: Jurisdiction, at: string, ok: boolean, rule: string];

const SEND_ROWS: SendRow[] = [
  ['US marketing with written consent', 'marketing', consent('express_written'), NY, AT, true, 'us-tcpa-pewc'],
  ['US marketing with express (not written) consent', 'marketing', consent('express'), NY, AT, false, 'us-tcpa-pewc'],
  ['US marketing on a purchase alone', 'marketing', consent('implied_purchase'), NY, AT, false, 'us-tcpa-pewc'],
  ['US marketing on a soft opt-in', 'marketing', consent('soft_opt_in'), NY, AT, false, 'us-tcpa-pewc'],
  ['US re-consent request is marketing', 'reconsent', consent('express_written'), NY, AT, true, 'us-tcpa-pewc'],
  ['US re-consent request on informational consent', 'reconsent', consent('informational'), NY, AT, false, 'us-tcpa-pewc'],
  ['US informational with express consent', 'informational', consent('express'), NY, AT, true, 'us-tcpa-express'],
  ['US informational with informational consent', 'informational', consent('informational'), NY, AT, true, 'us-tcpa-express'],
  ['US informational with written consent', 'informational', consent('express_written'), NY, AT, true, 'us-tcpa-express'],
  ['US informational on an inquiry alone', 'informational', consent('implied_inquiry'), NY, AT, false, 'us-tcpa-express'],
  ['US reminder with express consent', 'reminder', consent('express'), NY, AT, true, 'us-tcpa-express'],
  ['US policy notice with informational consent', 'policy_notice', consent('informational'), NY, AT, true, 'us-tcpa-express'],
  ['US welcome needs a consent record', 'welcome', null, NY, AT, false, 'no-consent'],
  ['US welcome with written consent', 'welcome', consent('express_written'), NY, AT, true, 'us-tcpa-express'],
  ['US transactional after a purchase', 'transactional', consent('implied_purchase'), NY, AT, true, 'transactional-relationship'],
  ['US transactional on emergency-only consent', 'transactional', consent('emergency'), NY, AT, false, 'transactional-relationship'],
  ['US marketing without any record', 'marketing', null, NY, AT, false, 'no-consent'],
  ['consent dated after the send', 'marketing', consent('express_written', '2026-12-01T00:00:00Z'), NY, AT, false, 'consent-not-yet-given'],
  ['emergency needs no consent', 'emergency', null, NY, AT, true, 'emergency-exempt'],
  ['HELP reply needs no consent', 'help', null, NY, AT, true, 'reply-to-subscriber'],
  ['STOP confirmation needs no consent', 'stop_confirmation', null, NY, AT, true, 'reply-to-subscriber'],
  ['clarification needs no consent', 'clarification', null, NY, AT, true, 'reply-to-subscriber'],
  ['confirmation request answers the opt-in request', 'confirmation_request', null, NY, AT, true, 'reply-to-subscriber'],
  ['Louisiana written consent, 5 months old', 'marketing', consent('express_written', '2026-06-01T12:00:00Z'), LA, AT, true, 'us-tcpa-pewc'],
  ['Louisiana written consent, 7 months old', 'marketing', consent('express_written', '2026-04-01T12:00:00Z'), LA, AT, false, 'us-la-consent-lapse'],
  ['Louisiana lapse does not touch informational texts', 'informational', consent('express_written', '2026-04-01T12:00:00Z'), LA, AT, true, 'us-tcpa-express'],
  ['state unknown: the Louisiana lapse may apply', 'marketing', consent('express_written', '2026-04-01T12:00:00Z'), TOLL_FREE, AT, false, 'us-la-consent-lapse'],
  ['Canada express consent', 'marketing', consent('express'), ON, AT, true, 'ca-casl-consent'],
  ['Canada purchase 21 months ago', 'marketing', consent('implied_purchase', '2025-02-01T12:00:00Z', { purchaseAt: new Date('2025-02-01T12:00:00Z') }), ON, AT, true, 'ca-casl-consent'],
  ['Canada purchase 26 months ago', 'marketing', consent('implied_purchase', '2024-09-01T12:00:00Z', { purchaseAt: new Date('2024-09-01T12:00:00Z') }), ON, AT, false, 'ca-casl-implied-purchase'],
  ['Canada inquiry 7 months ago (expired)', 'marketing', consent('implied_inquiry', '2026-04-01T12:00:00Z', { inquiryAt: new Date('2026-04-01T12:00:00Z') }), ON, AT, false, 'ca-casl-implied-inquiry'],
  ['Canada inquiry 5 months ago', 'marketing', consent('implied_inquiry', '2026-06-01T12:00:00Z', { inquiryAt: new Date('2026-06-01T12:00:00Z') }), ON, AT, true, 'ca-casl-consent'],
  ['Canada expired inquiry still covers a transactional text', 'transactional', consent('implied_inquiry', '2026-04-01T12:00:00Z', { inquiryAt: new Date('2026-04-01T12:00:00Z') }), ON, AT, true, 'transactional-relationship'],
  ['Canada expired inquiry no longer covers a reminder', 'reminder', consent('implied_inquiry', '2026-04-01T12:00:00Z', { inquiryAt: new Date('2026-04-01T12:00:00Z') }), ON, AT, false, 'ca-casl-implied-inquiry'],
  ['Canada has no soft opt-in', 'marketing', consent('soft_opt_in'), ON, AT, false, 'ca-casl-consent'],
  ['Australia inferred consent', 'marketing', consent('inferred'), AU, AT, true, 'au-spam-act-consent'],
  ['Australia: implied purchase is not a recorded basis', 'marketing', consent('implied_purchase'), AU, AT, false, 'au-spam-act-consent'],
  ['UK soft opt-in', 'marketing', consent('soft_opt_in'), GB, AT, true, 'gb-pecr-consent'],
  ['Guernsey follows the UK rule', 'marketing', consent('soft_opt_in'), GG, AT, true, 'gb-pecr-consent'],
  ['UK inferred consent', 'marketing', consent('inferred'), GB, AT, false, 'gb-pecr-consent'],
  ['Germany express consent', 'marketing', consent('express'), DE, AT, true, 'eu-eprivacy-consent'],
  ['France soft opt-in', 'marketing', consent('soft_opt_in'), FR, AT, false, 'eu-eprivacy-consent'],
  ['Germany inferred consent', 'marketing', consent('inferred'), DE, AT, false, 'eu-eprivacy-consent'],
  ['Mexico express consent', 'marketing', consent('express'), MX, AT, true, 'intl-express-consent'],
  ['Brazil on a purchase alone', 'marketing', consent('implied_purchase'), BR, AT, false, 'intl-express-consent'],
];

describe('canSend', () => {
  it.each(SEND_ROWS)('%s', (_label, kind, record, where, at, ok, rule) => {
    const decision = canSend(kind, record, where, new Date(at));
    expect({ ok: decision.ok, rule: decision.rule }).toEqual({ ok, rule });
    expect(decision.reason.length).toBeGreaterThan(10);
  });
});

type ExpiryRow = [label: string, record: ConsentRecord, where: Jurisdiction, expires: string | null];

const EXPIRY_ROWS: ExpiryRow[] = [
  ['Canada purchase: 2 years', consent('implied_purchase', '2026-01-15T12:00:00Z', { purchaseAt: new Date('2025-02-08T00:00:00Z') }), ON, '2027-02-08T00:00:00.000Z'],
  ['Canada purchase without a date counts from the consent', consent('implied_purchase', '2026-01-15T12:00:00Z'), ON, '2028-01-15T12:00:00.000Z'],
  ['Canada purchase on 29 February', consent('implied_purchase', '2024-03-01T00:00:00Z', { purchaseAt: new Date('2024-02-29T10:00:00Z') }), ON, '2026-02-28T10:00:00.000Z'],
  ['Canada inquiry: 6 months', consent('implied_inquiry', '2026-03-05T12:00:00Z', { inquiryAt: new Date('2026-03-05T12:00:00Z') }), ON, '2026-09-05T12:00:00.000Z'],
  ['Canada inquiry on 31 August', consent('implied_inquiry', '2026-08-31T12:00:00Z', { inquiryAt: new Date('2026-08-31T12:00:00Z') }), ON, '2027-02-28T12:00:00.000Z'],
  ['Canada express consent does not expire', consent('express'), ON, null],
  ['US written consent does not expire', consent('express_written'), NY, null],
  ['Louisiana written consent lapses after 6 months', consent('express_written', '2026-01-31T09:00:00Z'), LA, '2026-07-31T09:00:00.000Z'],
  ['Louisiana express (not written) consent: no lapse', consent('express', '2026-01-31T09:00:00Z'), LA, null],
  ['state unknown: Louisiana lapse assumed', consent('express_written', '2026-02-10T00:00:00Z'), TOLL_FREE, '2026-08-10T00:00:00.000Z'],
  ['UK soft opt-in lasts until withdrawn', consent('soft_opt_in'), GB, null],
  ['Australia inferred consent lasts until withdrawn', consent('inferred'), AU, null],
  ['an inquiry type outside Canada has no statutory clock', consent('implied_inquiry'), NY, null],
];

describe('consentExpiresAt', () => {
  it.each(EXPIRY_ROWS)('%s', (_label, record, where, expires) => {
    expect(consentExpiresAt(record, where)?.toISOString() ?? null).toEqual(expires);
  });
});

const WEB_FORM: OptInInput = {
  source: 'web_form',
  consentType: 'express_written',
  consentAt: new Date('2026-10-01T12:00:00Z'),
  disclosureVersion: '2026-09',
  ip: '203.0.113.5',
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)',
  pageUrl: 'https://shop.example.com/sms-signup',
  formRef: null,
  birthdate: null,
  purchaseAt: null,
  inquiryAt: null,
};

type OptInRow = [label: string, input: Partial<OptInInput>, program: Partial<ProgramRules>, where: Jurisdiction, codes: string[]];

const OPT_IN_ROWS: OptInRow[] = [
  ['a complete web form', {}, {}, NY, []],
  ['a country the program does not serve', { consentType: 'express' }, { allowedCountries: ['US'] }, ON, ['country_not_allowed']],
  ['a bought list', { source: 'purchased_list' }, {}, NY, ['unknown_source']],
  ['web form without the IP address', { ip: null }, {}, NY, ['missing_evidence']],
  ['pop-up without user agent and page', { source: 'popup', userAgent: '', pageUrl: null }, {}, NY, ['missing_evidence']],
  ['paper form without its reference', { source: 'paper_form', ip: null, userAgent: null, pageUrl: null }, {}, NY, ['missing_evidence']],
  ['paper form with its reference', { source: 'paper_form', ip: null, userAgent: null, pageUrl: null, formRef: 'scan-920741' }, {}, NY, []],
  ['keyword opt-in carries its own record', { source: 'keyword', ip: null, userAgent: null, pageUrl: null }, {}, NY, []],
  ['API opt-in', { source: 'api', ip: null, userAgent: null, pageUrl: null }, {}, NY, []],
  ['an IP address that is not one', { ip: 'not-an-ip' }, {}, NY, ['invalid_evidence']],
  ['an IPv6 address', { ip: '2001:db8::1' }, {}, NY, []],
  ['a page that is not a web address', { pageUrl: 'signup form' }, {}, NY, ['invalid_evidence']],
  ['consent dated in the future', { consentAt: new Date('2027-06-01T00:00:00Z') }, {}, NY, ['consent_in_future']],
  ['consent time that is not a date', { consentAt: new Date('yesterday') }, {}, NY, ['invalid_consent_time']],
  ['written consent without the disclosure shown', { disclosureVersion: null }, {}, NY, ['missing_disclosure']],
  ['age required, no birthdate', {}, { minimumAge: 18 }, NY, ['birthdate_missing']],
  ['age required, 16 years old', { birthdate: '2010-01-01' }, { minimumAge: 18 }, NY, ['under_minimum_age']],
  ['age required, 18 on the day of consent', { birthdate: '2008-10-01' }, { minimumAge: 18 }, NY, []],
  ['age required, 18 the day after consent', { birthdate: '2008-10-02' }, { minimumAge: 18 }, NY, ['under_minimum_age']],
  ['a US child of 12 without an age rule', { birthdate: '2014-05-02' }, {}, NY, ['coppa_under_13']],
  ['a US child of 12 with an age rule', { birthdate: '2014-05-02' }, { minimumAge: 18 }, NY, ['under_minimum_age', 'coppa_under_13']],
  ['a Canadian child of 12 without an age rule', { consentType: 'express', birthdate: '2014-05-02' }, {}, ON, []],
  ['30 February', { birthdate: '2016-02-30' }, {}, NY, ['invalid_birthdate']],
  ['a birthdate in another format', { birthdate: '05/02/1990' }, {}, NY, ['invalid_birthdate']],
  ['US marketing on express consent', { consentType: 'express' }, {}, NY, ['consent_too_weak']],
  ['US informational program on express consent', { consentType: 'express' }, { category: 'informational' }, NY, []],
  ['US transactional program on a purchase', { consentType: 'implied_purchase', purchaseAt: new Date('2026-09-01T00:00:00Z') }, { category: 'transactional' }, NY, []],
  ['a consent type we do not know', { consentType: 'verbal' }, {}, NY, ['unknown_consent_type']],
  ['Canadian purchase without its date', { source: 'api', consentType: 'implied_purchase' }, {}, ON, ['missing_purchase_date']],
  [
    'Canadian inquiry 7 months old',
    { source: 'api', consentType: 'implied_inquiry', inquiryAt: new Date('2026-03-01T12:00:00Z') },
    {},
    ON,
    ['consent_expired'],
  ],
  ['Canadian inquiry 2 months old', { source: 'api', consentType: 'implied_inquiry', inquiryAt: new Date('2026-08-01T12:00:00Z') }, {}, ON, []],
  ['a purchase dated in the future', { source: 'api', consentType: 'implied_purchase', purchaseAt: new Date('2027-01-01T00:00:00Z') }, {}, ON, ['purchase_in_future']],
  ['UK soft opt-in with its sale', { consentType: 'soft_opt_in', purchaseAt: new Date('2026-09-20T00:00:00Z') }, {}, GB, []],
  ['UK soft opt-in without a sale', { consentType: 'soft_opt_in' }, {}, GB, ['missing_purchase_date']],
  ['Australian inferred consent', { consentType: 'inferred' }, {}, AU, []],
  ['German soft opt-in', { consentType: 'soft_opt_in', purchaseAt: new Date('2026-09-20T00:00:00Z') }, {}, DE, ['consent_too_weak']],
  ['several faults at once', { source: 'purchased_list', consentAt: new Date('2027-06-01T00:00:00Z'), disclosureVersion: null }, {}, NY, ['unknown_source', 'consent_in_future']],
];

describe('evaluateOptIn', () => {
  it.each(OPT_IN_ROWS)('%s', (_label, input, program, where, codes) => {
    const verdict = evaluateOptIn({ ...WEB_FORM, ...input }, buildProgram(program), where, new Date(AT));
    expect(verdict.reasons.map(codeOf)).toEqual(codes);
    expect(verdict.ok).toBe(codes.length === 0);
  });

  it('refuses exactly the faulty rows of the demo import (as of 2026-12-01)', () => {
    const program = buildProgram();
    const refused: Record<number, string[]> = {};
    for (const row of importRows()) {
      let where: Jurisdiction;
      try {
        where = resolveJurisdiction(parsePhone(row.phone, row.country).e164, { region: row.region || null, zip: row.zip || null });
      } catch {
        refused[row.line] = ['invalid_phone'];
        continue;
      }
      const verdict = evaluateOptIn(inputOf(row), program, where, new Date('2026-12-01T00:00:00Z'));
      if (!verdict.ok) {
        refused[row.line] = verdict.reasons.map(codeOf);
      }
    }
    expect(refused).toEqual({
      56: ['consent_expired'], // Louisiana, written consent from May 2026
      68: ['consent_expired'], // Canadian inquiry of March 2026
      105: ['consent_expired'], // Canadian purchase of September 2024
      213: ['invalid_consent_time'], // "yesterday"
      247: ['unknown_source'], // purchased_list
      305: ['coppa_under_13'],
      331: ['consent_expired'],
      365: ['consent_expired'],
      405: ['consent_expired'],
      416: ['consent_expired'],
      470: ['invalid_birthdate'], // 2016-02-30
      503: ['invalid_phone'], // +1 555 0100
      557: ['consent_expired'],
      601: ['consent_expired'],
      624: ['consent_expired'],
      637: ['consent_expired'],
      642: ['coppa_under_13'],
      657: ['consent_expired'],
      687: ['invalid_consent_time'], // empty
      714: ['consent_expired'],
      724: ['consent_expired'],
      733: ['coppa_under_13'],
      754: ['consent_expired'],
      786: ['consent_expired'], // Louisiana
      798: ['consent_expired'], // Louisiana
      849: ['invalid_phone'], // +1212555ABCD
      880: ['consent_expired'],
      946: ['missing_purchase_date'],
      948: ['invalid_phone'], // 12345
      970: ['consent_expired'],
      1018: ['consent_in_future'], // 2027-06-01
    });
  });
});

function codeOf(reason: string): string {
  return reason.split(':')[0] ?? reason;
}

function inputOf(row: ReturnType<typeof importRows>[number]): OptInInput {
  const date = (text: string) => (text ? new Date(text) : null);
  return {
    source: row.consent_source,
    consentType: row.consent_type,
    consentAt: new Date(row.consent_at),
    disclosureVersion: row.disclosure_version || null,
    ip: row.ip || null,
    userAgent: row.user_agent || null,
    pageUrl: row.page_url || null,
    formRef: row.form_ref || null,
    birthdate: row.birthdate || null,
    purchaseAt: date(row.purchase_at),
    inquiryAt: date(row.inquiry_at),
  };
}
