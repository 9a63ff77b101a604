// The subscriber lifecycle's public contract: its input, signals, updates and
// query. Clients (API, webhooks, campaigns) and the workflow import these.
// Every field is an ID or a classified value: never a phone number, a name or
// a message body, so nothing personal reaches a Temporal history.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ConsentSource, ConsentType, KeywordKind, MessageKind } from '../compliance/types.js';

export type ConsentState =
  | 'new' // started, no opt-in yet (e.g. a HELP from a stranger)
  | 'pending' // double opt-in: waiting for the confirming reply
  | 'active'
  | 'paused' // material policy change: waiting for re-consent
  | 'opted_out'
  | 'expired' // confirmation window or legal consent period ran out
  | 'lapsed' // no re-consent within the window
  | 'refused'; // the opt-in failed the program's or the law's checks

export interface LifecycleInput {
  subscriberId: string;
  programId: string;
  /** Set by continue-as-new only: what the previous run handed over. */
  carried?: CarriedState;
  /**
   * Continue-as-new once the history holds this many events, on top of the
   * server's own suggestion. Lets a deployment (or a test) keep runs short.
   */
  maxHistoryLength?: number;
}

/** Opt-in from any source; the evidence was stored by the caller under `evidenceId`. */
export interface OptInRequest {
  requestId: string; // idempotency key, carried across continue-as-new
  source: ConsentSource;
  consentType: ConsentType;
  evidenceId: string; // ConsentEvidence / request record holding the personal evidence
  occurredAt: string; // ISO instant the person consented
}

export interface OptInResult {
  state: ConsentState;
  refusedReasons: string[];
}

export interface InboundSignal {
  inboundId: string; // InboundMessage.id; the body stays in the database
  keyword: KeywordKind;
  ambiguous: boolean;
  carrierOptOut: 'STOP' | 'START' | 'HELP' | null; // Twilio OptOutType when present
}

export interface OptOutRequest {
  requestId: string;
  source: 'api' | 'carrier' | 'keyword' | 'admin';
  reason: string;
}

export interface OptOutResult {
  state: ConsentState;
  ledgerEventId: string | null; // null when the subscriber was already opted out
}

export interface CarrierEventSignal {
  messageId: string;
  errorCode: string; // e.g. '21610' (recipient unsubscribed), '30004' (blocked)
}

/** A text to send through the lifecycle: a drip step, broadcast or one-off. */
export interface EnqueueTextSignal {
  requestId: string; // dedup key, e.g. `${campaignId}:${step}`
  kind: Extract<MessageKind, 'marketing' | 'informational' | 'transactional'>;
  campaignId: string | null;
  stepIndex: number | null;
  templateRef: string; // where the activity finds the body template (e.g. campaign step)
  notBefore: string | null; // ISO instant; null = now
  deadline: string | null; // ISO instant after which the text is skipped
}

export interface PolicyChangeSignal {
  changeId: string;
  policy: 'terms' | 'privacy';
  version: string;
  material: boolean;
}

export interface PendingText {
  requestId: string;
  kind: MessageKind;
  heldUntil: string | null;
  holdRule: string | null;
  holdReason: string | null;
}

/** A text waiting in the lifecycle's outbox, in arrival order. */
export interface QueuedText extends PendingText {
  campaignId: string | null;
  stepIndex: number | null;
  templateRef: string;
  notBefore: string | null;
  deadline: string | null;
  /** The hold in the recipient's own terms, e.g. "09:00 America/Chicago". */
  heldUntilLocal: string | null;
}

/** The opt-out reminder clock: every N days or every M messages, whichever first. */
export interface ReminderClock {
  /** When the clock last restarted: activation or the last reminder sent. */
  since: string | null;
  /** Messages sent since then that count towards `reminderEveryMessages`. */
  messagesSince: number;
  /** Reminders issued so far; numbers each reminder's request ID. */
  cycle: number;
  /** Append mode: the next marketing text carries the reminder. */
  appendToNext: boolean;
}

/** Program settings the lifecycle decides with; refreshed from the database at every run start. */
export interface LifecycleSettings {
  doubleOptIn: boolean;
  confirmationWindowHours: number;
  reminderEveryDays: number;
  reminderEveryMessages: number | null;
  reminderMode: 'standalone' | 'append';
}

/** Everything a run hands to the next at continue-as-new. */
export interface CarriedState {
  /** Null until the first run has read the program. */
  settings: LifecycleSettings | null;
  consentState: ConsentState;
  consentType: ConsentType | null;
  outbox: QueuedText[];
  reminder: ReminderClock;
  /** Instants of recent capped sends, for the frequency and state caps. */
  cappedSentAt: string[];
  /** Recently seen request, inbound and change IDs: de-duplication across runs. */
  seenKeys: string[];
  confirmationDeadline: string | null;
  reconsentDeadline: string | null;
  consentExpiresAt: string | null;
  clarificationSent: boolean;
  sentCount: number;
  /** The opt-in or re-consent cycle that the current state belongs to. */
  cycleKey: string | null;
}

export interface LifecycleState {
  subscriberId: string;
  programId: string;
  consentState: ConsentState;
  consentType: ConsentType | null;
  pending: PendingText[];
  nextReminderAt: string | null;
  confirmationDeadline: string | null;
  reconsentDeadline: string | null;
  consentExpiresAt: string | null;
  sentCount: number;
  remindersSent: number;
  /** One line for people: the live status shown in the Temporal UI. */
  status: string;
}

export const optInUpdate = defineUpdate<OptInResult, [OptInRequest]>('optIn');
export const optOutUpdate = defineUpdate<OptOutResult, [OptOutRequest]>('optOut');
export const inboundSignal = defineSignal<[InboundSignal]>('inbound');
export const carrierEventSignal = defineSignal<[CarrierEventSignal]>('carrierEvent');
export const enqueueTextSignal = defineSignal<[EnqueueTextSignal]>('enqueueText');
export const policyChangeSignal = defineSignal<[PolicyChangeSignal]>('policyChange');
export const stateQuery = defineQuery<LifecycleState>('state');
