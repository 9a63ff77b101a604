// Public API of the compliance rules. Everything here is pure: no clock, no network, no database.
// jurisdiction.ts reads packaged phone data from disk once (node:fs): workflow code, which may not
// import Node built-ins, imports the other modules directly and receives a Jurisdiction as data.
export type * from './types.js';
export { classifyInbound } from './keywords.js';
export { InvalidPhoneError, parsePhone, resolveJurisdiction } from './jurisdiction.js';
export type { InvalidPhoneReason, JurisdictionHints, ParsedPhone } from './jurisdiction.js';
export { NoSendWindowError, nextAllowedSendTime } from './windows.js';
export type { WindowDecision } from './windows.js';
export { WINDOW_RULES, DEFAULT_WINDOW_RULE } from './window-rules.js';
export type { WindowRule } from './window-rules.js';
export { nextCapSlot, planSend } from './caps.js';
export type { SendSlot } from './caps.js';
export { canSend, consentExpiresAt, evaluateOptIn } from './consent.js';
export type { OptInInput } from './consent.js';
export { lintMessage } from './lint.js';
export type { LintContext, LintIssue, LintResult } from './lint.js';
export { TemplateVariableError, appendOptOutReminder, renderBody, renderTemplate, templateMessageKind } from './templates.js';
export type { TemplateExtra, TemplateKind } from './templates.js';
export { consentCategoryOf, isCapped, isHeldByWindows, isReplyKind } from './kinds.js';
