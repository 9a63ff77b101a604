// What a lifecycle text says: a program template (confirmation, welcome, HELP,
// STOP confirmation, reminder, re-consent, policy notice, clarification) or a
// campaign step, rendered for the subscriber's language and linted. Bodies
// stay in the database; only IDs and codes go back to the workflow.
import {
  appendOptOutReminder,
  lintMessage,
  renderBody,
  renderTemplate,
  TemplateVariableError,
  type TemplateExtra,
  type TemplateKind,
} from '../../compliance/index.js';
import type { Language, MessageKind, ProgramRules } from '../../compliance/types.js';
import type { Db } from '../../db/client.js';
import { loadCampaignStepTemplate } from '../../domain/campaigns.js';
import type { ProgramRow } from './records.js';

const TEMPLATE_KINDS: readonly MessageKind[] = [
  'confirmation_request',
  'welcome',
  'help',
  'stop_confirmation',
  'reminder',
  'reconsent',
  'policy_notice',
  'clarification',
];

export interface RenderInput {
  kind: MessageKind;
  templateRef: string | null;
  program: ProgramRow;
  rules: ProgramRules;
  language: Language;
  appendReminder: boolean;
}

export interface RenderedText {
  body: string;
  /** Which template produced it, and the disclosure version it carries. */
  template: string;
  version: string;
}

export type Rendered = { ok: true; text: RenderedText } | { ok: false; reason: string };

export async function renderText(db: Db, input: RenderInput): Promise<Rendered> {
  const rendered = isTemplateKind(input.kind) ? await fromTemplate(db, input) : await fromCampaign(db, input);
  if (!rendered.ok || !input.appendReminder) {
    return rendered;
  }
  const body = appendOptOutReminder(rendered.text.body, input.language, input.rules);
  return { ok: true, text: { ...rendered.text, body } };
}

export function disclosureVersion(program: ProgramRow): string {
  return `terms ${program.termsVersion}; privacy ${program.privacyVersion}`;
}

function isTemplateKind(kind: MessageKind): kind is TemplateKind & MessageKind {
  return TEMPLATE_KINDS.includes(kind);
}

async function fromTemplate(db: Db, input: RenderInput): Promise<Rendered> {
  const kind = input.kind as TemplateKind;
  const extra = await policyDetails(db, input.templateRef);
  const body = renderTemplate(kind, input.language, input.rules, extra);
  return { ok: true, text: { body, template: `${kind}.${input.language}`, version: disclosureVersion(input.program) } };
}

/** Re-consent prompts and policy notices name the policy that changed (`reconsent:<changeId>`). */
async function policyDetails(db: Db, templateRef: string | null): Promise<TemplateExtra | undefined> {
  const changeId = templateRef?.split(':')[1];
  if (!changeId) {
    return undefined;
  }
  const change = await db.policyChange.findUnique({ where: { id: changeId } });
  return change ? { policyKind: change.kind === 'privacy' ? 'privacy' : 'terms', policyUrl: change.url } : undefined;
}

async function fromCampaign(db: Db, input: RenderInput): Promise<Rendered> {
  if (!input.templateRef) {
    return { ok: false, reason: 'no template for this text' };
  }
  const step = await loadCampaignStepTemplate(db, input.templateRef);
  if (!step) {
    return { ok: false, reason: `template ${input.templateRef} not found` };
  }
  if (step.skipReason) {
    return { ok: false, reason: step.skipReason };
  }
  const vars = { brand: input.rules.brandName, program: input.rules.programName, ...step.variables };
  let body: string;
  try {
    body = renderBody(step.body, vars);
  } catch (err) {
    if (err instanceof TemplateVariableError) {
      return { ok: false, reason: err.message };
    }
    throw err;
  }
  return { ok: true, text: { body, template: input.templateRef, version: disclosureVersion(input.program) } };
}

export interface LintVerdict {
  errors: string[];
  warnings: string[];
  encoding: string;
  segments: number;
}

export function lintText(body: string, kind: MessageKind, rules: ProgramRules, country: string, language: Language): LintVerdict {
  const result = lintMessage(body, { kind, program: rules, country, language });
  return {
    errors: result.errors.map((issue) => issue.code),
    warnings: result.warnings.map((issue) => issue.code),
    encoding: result.encoding,
    segments: result.segments,
  };
}
