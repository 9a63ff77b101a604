import { LATIN_AMERICA } from './content-lists.js';
import {
  RATES_NOTICE,
  confirmsOptOut,
  containsLiteral,
  hasBrandOrProgram,
  hasConfirmInstruction,
  hasFrequency,
  hasHelpInstruction,
  hasOptOutInstruction,
  hasRatesNotice,
  mentions,
  promotionalWording,
} from './message-elements.js';
import { analyse, type Analysis } from './screening.js';
import type { Language, MessageKind, ProgramRules } from './types.js';

export interface LintIssue {
  code: string;
  message: string;
}

export interface LintContext {
  kind: MessageKind;
  program: ProgramRules;
  country: string;
  language: Language;
}

export interface LintResult {
  errors: LintIssue[];
  warnings: LintIssue[];
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

/** Errors block the send; warnings are recorded with it. */
export function lintMessage(body: string, ctx: LintContext): LintResult {
  const key = contextKey(ctx);
  let byContext = results.get(body);
  let result = byContext?.get(key);
  if (!result) {
    result = computeLint(body, ctx);
    if (resultCount >= MAX_RESULTS) {
      results.clear();
      resultCount = 0;
    }
    byContext ??= new Map();
    results.set(body, byContext);
    byContext.set(key, result);
    resultCount++;
  }
  return { errors: [...result.errors], warnings: [...result.warnings], encoding: result.encoding, segments: result.segments };
}

/**
 * Linting is a pure function of the body and its context, and a campaign sends one body to many
 * recipients: results are remembered per body and context (program content, kind, country, language).
 */
const results = new Map<string, Map<string, LintResult>>();
const MAX_RESULTS = 20_000;
let resultCount = 0;

/** Keyed by the program's content, not its identity, so an edited program is never served a stale result. */
function contextKey(ctx: LintContext): string {
  return `${ctx.kind}|${ctx.country}|${ctx.language}|${JSON.stringify(ctx.program)}`;
}

function computeLint(body: string, ctx: LintContext): LintResult {
  const found = new Findings();
  const analysis = analyse(body);
  checkBasics(body, ctx, found);
  checkRequiredElements(body, analysis, ctx, found);
  checkContent(analysis, ctx, found);
  checkLength(analysis, ctx, found);
  return { errors: found.errors.map(freeze), warnings: found.warnings.map(freeze), encoding: analysis.encoding, segments: analysis.segments };
}

function freeze(issue: LintIssue): LintIssue {
  return Object.freeze(issue);
}

class Findings {
  readonly errors: LintIssue[] = [];
  readonly warnings: LintIssue[] = [];

  error(code: string, message: string): void {
    this.errors.push({ code, message });
  }

  warning(code: string, message: string): void {
    this.warnings.push({ code, message });
  }

  /** An error for kinds that require the element, a warning where it is only advisable. */
  missing(level: Level, code: string, message: string): void {
    (level === 'error' ? this.errors : this.warnings).push({ code, message });
  }
}

type Level = 'error' | 'warning';

function checkBasics(body: string, ctx: LintContext, found: Findings): void {
  if (body.trim() === '') {
    found.error('empty_body', 'the message is empty');
  }
  if (/\{\{[^}]*\}\}/.test(body)) {
    found.error('unrendered_variable', 'a {{variable}} was left in the text');
  }
  if (ctx.kind === 'marketing' && ctx.program.category !== 'marketing') {
    found.error('kind_not_in_program_category', `a ${ctx.program.category} program cannot send marketing; its subscribers did not consent to it`);
  }
}

// ---- required elements per kind ----

type Element =
  | 'description'
  | 'optOut'
  | 'help'
  | 'confirm'
  | 'rates'
  | 'frequency'
  | 'helpContact'
  | 'terms'
  | 'privacy'
  | 'link'
  | 'optedOut'
  | 'noPromotion';

/**
 * CTIA Messaging Principles and Short Code Monitoring Handbook (regulations.md §4) for the opt-in
 * confirmation, HELP and STOP replies; CASL s.6, Spam Act s.18, PECR soft opt-in and French practice
 * for an opt-out in every marketing text; FCC SoundBite ruling: no marketing in the STOP confirmation.
 */
const REQUIREMENTS: Partial<Record<MessageKind, Partial<Record<Element, Level>>>> = {
  marketing: { optOut: 'error' },
  informational: { optOut: 'warning' },
  confirmation_request: { description: 'error', confirm: 'error', rates: 'error', help: 'error', optOut: 'error', noPromotion: 'error' },
  welcome: {
    description: 'error', frequency: 'error', rates: 'error', help: 'error', optOut: 'error', terms: 'error', privacy: 'error',
    noPromotion: 'warning',
  },
  help: { helpContact: 'error', frequency: 'error', rates: 'error', optOut: 'error', noPromotion: 'error' },
  stop_confirmation: { optedOut: 'error', noPromotion: 'error' },
  reminder: { optOut: 'error' },
  reconsent: { confirm: 'error', rates: 'error', optOut: 'error' },
  policy_notice: { link: 'error', optOut: 'warning' },
  clarification: { noPromotion: 'error' },
};

/** Countries whose law wants sender contact details in every commercial message. */
const SENDER_CONTACT: Record<string, string> = {
  CA: 'CASL: a commercial message identifies the sender with contact details or a link to them',
  AU: 'Spam Act 2003 s.17: a commercial message identifies the sender with accurate contact details',
};

function checkRequiredElements(body: string, analysis: Analysis, ctx: LintContext, found: Findings): void {
  const { program, kind } = ctx;
  const text = analysis.text;
  if (!hasBrandOrProgram(text, program)) {
    found.error('brand_missing', `name the brand ("${program.brandName}") or program ("${program.programName}")`);
  }
  const wanted = REQUIREMENTS[kind] ?? {};
  for (const [element, level] of Object.entries(wanted) as [Element, Level][]) {
    checkElement(element, level, body, analysis, ctx, found);
  }
  const contactLaw = SENDER_CONTACT[ctx.country];
  if (contactLaw && kind === 'marketing' && analysis.urls.length === 0 && !containsLiteral(body, program.helpContact)) {
    found.error('sender_contact_missing', contactLaw);
  }
}

type Check = (body: string, text: string, ctx: LintContext, analysis: Analysis) => { ok: boolean; code: string; message: string };

const ELEMENT_CHECKS: Record<Element, Check> = {
  description: (_body, text, { program }) => ({
    ok: mentions(text, program.description),
    code: 'description_missing',
    message: 'say what the messages are about (the program description)',
  }),
  optOut: (_body, text, { program }) => ({
    ok: hasOptOutInstruction(text, program),
    code: 'opt_out_missing',
    message: 'tell the recipient how to opt out ("Reply STOP to cancel")',
  }),
  help: (_body, text, { program }) => ({
    ok: hasHelpInstruction(text, program),
    code: 'help_missing',
    message: 'tell the recipient how to get help ("Reply HELP for help")',
  }),
  confirm: (_body, text, { program }) => ({
    ok: hasConfirmInstruction(text, program),
    code: 'confirm_instruction_missing',
    message: 'say how to confirm ("Reply YES")',
  }),
  rates: (_body, text, { language }) => ({
    ok: hasRatesNotice(text),
    code: 'rates_notice_missing',
    message: `add the rates notice ("${RATES_NOTICE[language]}")`,
  }),
  frequency: (_body, text, { program }) => ({
    ok: hasFrequency(text, program),
    code: 'frequency_missing',
    message: `state the message frequency ("${program.frequencyText}")`,
  }),
  helpContact: (body, _text, { program }) => ({
    ok: containsLiteral(body, program.helpContact),
    code: 'help_contact_missing',
    message: `give the help contact (${program.helpContact})`,
  }),
  terms: (body, _text, { program }) => ({
    ok: containsLiteral(body, program.termsUrl),
    code: 'terms_link_missing',
    message: `link the terms (${program.termsUrl})`,
  }),
  privacy: (body, _text, { program }) => ({
    ok: containsLiteral(body, program.privacyUrl),
    code: 'privacy_link_missing',
    message: `link the privacy policy (${program.privacyUrl})`,
  }),
  link: (_body, _text, _ctx, analysis) => ({ ok: analysis.urls.length > 0, code: 'policy_link_missing', message: 'link the changed policy' }),
  optedOut: (_body, text) => ({
    ok: confirmsOptOut(text),
    code: 'opt_out_not_confirmed',
    message: 'confirm that no more messages will be sent',
  }),
  noPromotion: (body, _text, { program, kind }) => {
    const promo = promotionalWording(body, program);
    return { ok: promo === null, code: 'promotional_content', message: `no marketing in a ${kind} (found "${promo}")` };
  },
};

function checkElement(element: Element, level: Level, body: string, analysis: Analysis, ctx: LintContext, found: Findings): void {
  const { ok, code, message } = ELEMENT_CHECKS[element](body, analysis.text, ctx, analysis);
  if (!ok) {
    found.missing(level, code, message);
  }
}

// ---- content screening ----

function checkContent(analysis: Analysis, ctx: LintContext, found: Findings): void {
  if (analysis.obscene) {
    found.error('shaft_sex_hate', 'sexual or hateful language (SHAFT): carriers block it');
  }
  const ageGated = (ctx.program.minimumAge ?? 0) >= 21;
  for (const category of analysis.shaft) {
    // CTIA: alcohol, firearms and tobacco content needs an age gate; cannabis is filtered regardless.
    if (category !== 'cannabis' && ageGated) {
      found.warning(`shaft_${category}`, `${category} content (SHAFT), allowed behind the program's age gate of ${ctx.program.minimumAge}`);
    } else {
      found.error(`shaft_${category}`, `${category} content (SHAFT) ${category === 'cannabis' ? 'is filtered by carriers' : 'needs an age-gated program (21+)'}`);
    }
  }
  if (analysis.shortened.length > 0) {
    found.error('public_url_shortener', `public link shorteners are filtered by carriers: ${analysis.shortened.join(', ')}`);
  }
  checkDestination(analysis, ctx, found);
}

function checkDestination(analysis: Analysis, ctx: LintContext, found: Findings): void {
  if (analysis.political && LATIN_AMERICA.has(ctx.country)) {
    found.warning('political_religious_content', `political or religious content ("${analysis.political}") is filtered by carriers in ${ctx.country}`);
  }
  if (ctx.country === 'CN') {
    if (analysis.political) {
      found.error('cn_prohibited_content', `political content ("${analysis.political}") is banned in China (Twilio PRC terms)`);
    }
    if (analysis.urls.length > 0) {
      found.error('cn_url_not_allowed', 'links are not allowed in texts to China');
    }
    if (ctx.kind === 'marketing' && !/退订/.test(analysis.text)) {
      found.warning('cn_unsubscribe_text', 'marketing to China should end with the Chinese opt-out ("回T退订")');
    }
  }
}

function checkLength(analysis: Analysis, ctx: LintContext, found: Findings): void {
  if (analysis.segments > ctx.program.segmentLimit) {
    found.error('too_many_segments', `${analysis.segments} ${analysis.encoding} segments; the program allows ${ctx.program.segmentLimit}`);
  }
  if (analysis.encoding === 'UCS-2') {
    found.warning('ucs2_encoding', `non-GSM characters (${analysis.nonGsm.join(' ')}) switch the text to UCS-2: 70 characters per segment`);
  }
}
