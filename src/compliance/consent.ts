import { DateTime } from 'luxon';
import { consentCategoryOf } from './kinds.js';
import type {
  ConsentRecord,
  ConsentSource,
  ConsentType,
  Decision,
  Jurisdiction,
  MessageCategory,
  MessageKind,
  ProgramRules,
} from './types.js';

type Regime = 'us' | 'ca' | 'au' | 'gb' | 'eu' | 'intl';

const REGIMES: Record<string, Regime> = {
  US: 'us', PR: 'us', VI: 'us', GU: 'us', AS: 'us', MP: 'us',
  CA: 'ca',
  AU: 'au',
  GB: 'gb', GG: 'gb', JE: 'gb', IM: 'gb',
  ...Object.fromEntries(
    ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT',
      'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO'].map((code) => [code, 'eu' as const]),
  ),
};

function regimeOf(jurisdiction: Jurisdiction): Regime {
  return REGIMES[jurisdiction.country] ?? 'intl';
}

interface Requirement {
  rule: string;
  law: string;
  types: readonly ConsentType[];
}

/** Consent strong enough for marketing, per regime. */
const MARKETING: Record<Regime, Requirement> = {
  us: { rule: 'us-tcpa-pewc', law: 'TCPA 47 CFR 64.1200(a)(2): autodialed marketing texts need prior express written consent', types: ['express_written'] },
  ca: {
    rule: 'ca-casl-consent',
    law: 'CASL s.6 and s.10: express consent, or implied consent from a purchase (2 years) or an inquiry (6 months)',
    types: ['express_written', 'express', 'implied_purchase', 'implied_inquiry'],
  },
  au: { rule: 'au-spam-act-consent', law: 'Spam Act 2003 s.16: express or inferred consent', types: ['express_written', 'express', 'inferred'] },
  gb: {
    rule: 'gb-pecr-consent',
    law: 'PECR reg. 22: consent specific to texts, or the soft opt-in for existing customers',
    types: ['express_written', 'express', 'soft_opt_in'],
  },
  eu: { rule: 'eu-eprivacy-consent', law: 'ePrivacy Directive art. 13 (e.g. France CPCE L34-5): prior express consent', types: ['express_written', 'express'] },
  intl: { rule: 'intl-express-consent', law: 'no rule identified for the country: prior express consent is required', types: ['express_written', 'express'] },
};

/** TCPA: informational texts need only prior express consent; elsewhere, anything good for marketing. */
function informational(regime: Regime): Requirement {
  const base = MARKETING[regime];
  const rule = regime === 'us' ? 'us-tcpa-express' : base.rule;
  const law = regime === 'us' ? 'TCPA: informational texts need prior express consent (oral or written)' : base.law;
  return { rule, law, types: [...new Set<ConsentType>([...base.types, 'express', 'informational'])] };
}

/**
 * A transactional text answers the recipient's own dealings with us: giving the number for the
 * transaction is the consent (prior express consent under the TCPA), whatever kind was recorded,
 * except a record limited to emergency alerts.
 */
const TRANSACTIONAL: Requirement = {
  rule: 'transactional-relationship',
  law: 'a transactional text relates to the recipient\'s own transaction; any consent record other than emergency-only covers it',
  types: ['express_written', 'express', 'implied_purchase', 'implied_inquiry', 'inferred', 'soft_opt_in', 'informational'],
};

function requirementFor(category: MessageCategory, jurisdiction: Jurisdiction): Requirement {
  const regime = regimeOf(jurisdiction);
  if (category === 'marketing') {
    return MARKETING[regime];
  }
  return category === 'informational' ? informational(regime) : TRANSACTIONAL;
}

export function canSend(kind: MessageKind, consent: ConsentRecord | null, jurisdiction: Jurisdiction, at: Date): Decision {
  if (kind === 'emergency') {
    return { ok: true, rule: 'emergency-exempt', reason: '47 CFR 64.1200(a)(1): calls for emergency purposes need no consent' };
  }
  const category = consentCategoryOf(kind);
  if (category === null) {
    return {
      ok: true,
      rule: 'reply-to-subscriber',
      reason: `a ${kind} answers the subscriber's own message (FCC 2015 call-to-action ruling; CTIA: answer HELP and STOP even for non-subscribers)`,
    };
  }
  if (!consent) {
    return { ok: false, rule: 'no-consent', reason: `a ${kind} text needs a consent record and there is none` };
  }
  if (consent.givenAt.getTime() > at.getTime()) {
    return { ok: false, rule: 'consent-not-yet-given', reason: `consent is dated ${consent.givenAt.toISOString()}, after ${at.toISOString()}` };
  }
  const requirement = requirementFor(category, jurisdiction);
  if (!requirement.types.includes(consent.type)) {
    return { ok: false, rule: requirement.rule, reason: `${consent.type} consent is not enough for ${category} texts to ${jurisdiction.country} (${requirement.law})` };
  }
  const lapse = category === 'transactional' ? null : expiryOf(consent, jurisdiction, category);
  if (lapse && lapse.at.getTime() <= at.getTime()) {
    return { ok: false, rule: lapse.rule, reason: `consent lapsed on ${lapse.at.toISOString()} (${lapse.law})` };
  }
  return { ok: true, rule: requirement.rule, reason: `${consent.type} consent covers ${category} texts to ${jurisdiction.country} (${requirement.law})` };
}

interface Lapse {
  at: Date;
  rule: string;
  law: string;
}

/**
 * When a consent record stops counting, for the lifecycle's expiry timer; null when it lasts until
 * withdrawn (express consent, soft opt-in, inferred consent).
 */
export function consentExpiresAt(consent: ConsentRecord, jurisdiction: Jurisdiction): Date | null {
  return expiryOf(consent, jurisdiction, 'marketing')?.at ?? null;
}

function expiryOf(consent: ConsentRecord, jurisdiction: Jurisdiction, category: MessageCategory): Lapse | null {
  const regime = regimeOf(jurisdiction);
  if (regime === 'ca' && consent.type === 'implied_purchase') {
    // CASL s.10(10)(a): implied consent lasts 2 years after the purchase; a newer purchase restarts it.
    return { at: plus(consent.purchaseAt ?? consent.givenAt, { years: 2 }), rule: 'ca-casl-implied-purchase', law: 'CASL s.10(10): 2 years after a purchase' };
  }
  if (regime === 'ca' && consent.type === 'implied_inquiry') {
    // CASL s.10(10)(b): an inquiry or application gives implied consent for 6 months.
    return { at: plus(consent.inquiryAt ?? consent.givenAt, { months: 6 }), rule: 'ca-casl-implied-inquiry', law: 'CASL s.10(10): 6 months after an inquiry' };
  }
  const mayBeLouisiana = jurisdiction.region === 'US-LA' || (jurisdiction.country === 'US' && jurisdiction.region === null);
  if (mayBeLouisiana && consent.type === 'express_written' && category === 'marketing') {
    // Louisiana telemarketing law (La. R.S. 45:811 et seq.): an express-request authorization lapses
    // after 6 months. A US number whose state is unknown may be in Louisiana.
    return { at: plus(consent.givenAt, { months: 6 }), rule: 'us-la-consent-lapse', law: 'Louisiana: an express-request authorization lapses after 6 months' };
  }
  return null;
}

function plus(date: Date, duration: { years?: number; months?: number }): Date {
  return DateTime.fromJSDate(date, { zone: 'utc' }).plus(duration).toJSDate();
}

// ---- opt-in evaluation: who may be texted, with what consent, proven by what evidence ----

export interface OptInInput {
  source: ConsentSource | string;
  consentType: ConsentType | string;
  consentAt: Date;
  disclosureVersion?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  pageUrl?: string | null;
  formRef?: string | null;
  birthdate?: string | null;
  purchaseAt?: Date | null;
  inquiryAt?: Date | null;
}

const SOURCES: ReadonlySet<string> = new Set<ConsentSource>(['keyword', 'web_form', 'paper_form', 'popup', 'api', 'import']);
const TYPES: ReadonlySet<string> = new Set<ConsentType>([
  'express_written', 'express', 'implied_purchase', 'implied_inquiry', 'inferred', 'soft_opt_in', 'informational', 'emergency',
]);

/**
 * Which evidence each source must carry to prove the opt-in later (the seller bears the burden of
 * proof). A keyword opt-in is its own record (the inbound message); for API and import opt-ins the
 * sending system holds the record, and the disclosure version names what the person was shown.
 */
const EVIDENCE: Record<ConsentSource, readonly (keyof OptInInput)[]> = {
  keyword: [],
  web_form: ['ip', 'userAgent', 'pageUrl'],
  popup: ['ip', 'userAgent', 'pageUrl'],
  paper_form: ['formRef'],
  api: [],
  import: [],
};

const EVIDENCE_NAMES: Partial<Record<keyof OptInInput, string>> = {
  ip: 'ip',
  userAgent: 'user_agent',
  pageUrl: 'page_url',
  formRef: 'form_ref',
};

/** Every reason an opt-in cannot be accepted, as "code: explanation"; ok when there is none. */
export function evaluateOptIn(
  input: OptInInput,
  program: ProgramRules,
  jurisdiction: Jurisdiction,
  at: Date,
): { ok: boolean; reasons: string[] } {
  const reasons = [
    ...countryReasons(program, jurisdiction),
    ...sourceReasons(input),
    ...timeReasons(input, at),
    ...ageReasons(input, program, jurisdiction, at),
    ...strengthReasons(input, program, jurisdiction, at),
  ];
  return { ok: reasons.length === 0, reasons };
}

function countryReasons(program: ProgramRules, jurisdiction: Jurisdiction): string[] {
  if (program.allowedCountries.includes(jurisdiction.country)) {
    return [];
  }
  return [`country_not_allowed: ${jurisdiction.country} is not among the program's countries (${program.allowedCountries.join(', ')})`];
}

function sourceReasons(input: OptInInput): string[] {
  if (!SOURCES.has(input.source)) {
    return [
      `unknown_source: "${input.source}" is not a way we collect consent; bought or shared lists never carry consent (CTIA 5.1.4, PECR)`,
    ];
  }
  const missing = EVIDENCE[input.source as ConsentSource].filter((field) => !present(input[field]));
  const reasons = missing.length > 0
    ? [`missing_evidence: ${input.source} consent needs ${missing.map((field) => EVIDENCE_NAMES[field]).join(', ')}`]
    : [];
  if (present(input.ip) && !isIpAddress(String(input.ip))) {
    reasons.push(`invalid_evidence: "${input.ip}" is not an IP address`);
  }
  if (present(input.pageUrl) && !/^https?:\/\/\S+$/i.test(String(input.pageUrl))) {
    reasons.push(`invalid_evidence: "${input.pageUrl}" is not a web address`);
  }
  if ((input.consentType === 'express_written' || input.consentType === 'express') && !present(input.disclosureVersion)) {
    // PEWC needs a clear and conspicuous disclosure; without its version we cannot show what was agreed to.
    reasons.push(`missing_disclosure: ${input.consentType} consent must record which disclosure version was shown`);
  }
  return reasons;
}

function timeReasons(input: OptInInput, at: Date): string[] {
  const reasons: string[] = [];
  if (Number.isNaN(input.consentAt.getTime())) {
    reasons.push('invalid_consent_time: the consent time is not a date');
  } else if (input.consentAt.getTime() > at.getTime()) {
    reasons.push(`consent_in_future: consent dated ${input.consentAt.toISOString()} is after ${at.toISOString()}`);
  }
  for (const [field, label] of [['purchaseAt', 'purchase'], ['inquiryAt', 'inquiry']] as const) {
    const date = input[field];
    if (date && date.getTime() > at.getTime()) {
      reasons.push(`${label}_in_future: the ${label} date ${date.toISOString()} is after ${at.toISOString()}`);
    }
  }
  return reasons;
}

function ageReasons(input: OptInInput, program: ProgramRules, jurisdiction: Jurisdiction, at: Date): string[] {
  if (!present(input.birthdate)) {
    return program.minimumAge === null ? [] : [`birthdate_missing: the program requires age ${program.minimumAge} and no birthdate was given`];
  }
  const asOf = Number.isNaN(input.consentAt.getTime()) ? at : input.consentAt;
  const age = ageOn(String(input.birthdate), asOf);
  if (age === null) {
    return [`invalid_birthdate: "${input.birthdate}" is not a calendar date (YYYY-MM-DD)`];
  }
  const reasons: string[] = [];
  if (program.minimumAge !== null && age < program.minimumAge) {
    reasons.push(`under_minimum_age: ${age} when consenting; the program requires ${program.minimumAge}`);
  }
  if (regimeOf(jurisdiction) === 'us' && age < 13) {
    reasons.push(`coppa_under_13: a child of ${age} needs verifiable parental consent first (COPPA), which we do not collect`);
  }
  return reasons;
}

function strengthReasons(input: OptInInput, program: ProgramRules, jurisdiction: Jurisdiction, at: Date): string[] {
  if (!TYPES.has(input.consentType)) {
    return [`unknown_consent_type: "${input.consentType}" is not a consent type`];
  }
  const type = input.consentType as ConsentType;
  const requirement = requirementFor(program.category, jurisdiction);
  if (!requirement.types.includes(type)) {
    return [`consent_too_weak: ${type} consent is not enough for ${program.category} texts to ${jurisdiction.country} (${requirement.law})`];
  }
  const missing = missingRelationshipDate(input, type);
  if (missing) {
    return [missing];
  }
  const record: ConsentRecord = { type, givenAt: input.consentAt, purchaseAt: input.purchaseAt ?? null, inquiryAt: input.inquiryAt ?? null };
  const lapse = program.category === 'transactional' ? null : expiryOf(record, jurisdiction, program.category);
  if (lapse && lapse.at.getTime() <= at.getTime()) {
    return [`consent_expired: ${type} consent lapsed on ${lapse.at.toISOString()} (${lapse.law})`];
  }
  return [];
}

/** Implied consent and the soft opt-in rest on a dated purchase or inquiry. */
function missingRelationshipDate(input: OptInInput, type: ConsentType): string | null {
  if (type === 'implied_purchase' && !input.purchaseAt) {
    return 'missing_purchase_date: implied consent from a purchase needs the purchase date';
  }
  if (type === 'implied_inquiry' && !input.inquiryAt) {
    return 'missing_inquiry_date: implied consent from an inquiry needs the inquiry date';
  }
  if (type === 'soft_opt_in' && !input.purchaseAt && !input.inquiryAt) {
    return 'missing_purchase_date: the soft opt-in needs the sale (or sale negotiation) where the number was collected';
  }
  return null;
}

function ageOn(birthdate: string, asOf: Date): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthdate.trim());
  if (!match) {
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const born = new Date(Date.UTC(year, month - 1, day));
  if (born.getUTCFullYear() !== year || born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day || born > asOf) {
    return null;
  }
  const hadBirthday =
    asOf.getUTCMonth() > month - 1 || (asOf.getUTCMonth() === month - 1 && asOf.getUTCDate() >= day);
  return asOf.getUTCFullYear() - year - (hadBirthday ? 0 : 1);
}

function present(value: unknown): boolean {
  return value !== null && value !== undefined && String(value).trim() !== '';
}

function isIpAddress(text: string): boolean {
  const v4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const v6 = /^(?=.*:)[0-9a-f:.]{2,45}$/i;
  return v4.test(text) || v6.test(text);
}
