// Pure helpers over the lifecycle's carried state: which texts may go in which
// consent state, when the workflow must wake next, and the one-line status for
// operators. No Temporal calls here, so the rules read (and test) on their own.
import type { MessageKind } from '../../compliance/types.js';
import type { CarriedState, ConsentState, LifecycleSettings, LifecycleState, QueuedText } from '../messages.js';

export type { LifecycleSettings } from '../messages.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Recent IDs kept for de-duplication; older repeats are caught by the database keys. */
const SEEN_KEYS_KEPT = 500;
/** Capped sends older than this never count towards a cap (the longest cap window is a week). */
const CAP_WINDOW_KEPT_MS = 7 * DAY_MS;

export function initialState(): CarriedState {
  return {
    settings: null,
    consentState: 'new',
    consentType: null,
    outbox: [],
    reminder: { since: null, messagesSince: 0, cycle: 0, appendToNext: false },
    cappedSentAt: [],
    seenKeys: [],
    confirmationDeadline: null,
    reconsentDeadline: null,
    consentExpiresAt: null,
    clarificationSent: false,
    sentCount: 0,
    cycleKey: null,
  };
}

/** Records a key; false when it was already seen (a repeated request or signal). */
export function remember(s: CarriedState, key: string): boolean {
  if (s.seenKeys.includes(key)) {
    return false;
  }
  s.seenKeys.push(key);
  if (s.seenKeys.length > SEEN_KEYS_KEPT) {
    s.seenKeys.splice(0, s.seenKeys.length - SEEN_KEYS_KEPT);
  }
  return true;
}

export function recordCappedSend(s: CarriedState, at: number): void {
  s.cappedSentAt = [...s.cappedSentAt, new Date(at).toISOString()].filter(
    (iso) => at - Date.parse(iso) < CAP_WINDOW_KEPT_MS,
  );
}

/** Texts the business starts (drips, reminders, notices) may go only in these states. */
export function mayQueueGo(kind: MessageKind, state: ConsentState): boolean {
  switch (kind) {
    case 'reconsent':
      return state === 'paused';
    case 'policy_notice':
    case 'transactional':
      return state === 'active' || state === 'paused';
    default:
      // Marketing, informational and reminders wait while consent is paused.
      return state === 'active';
  }
}

/**
 * Whether a text of this kind may go to someone in this consent state. The
 * replies follow the subscriber's own action: HELP and a clarification are
 * answered in any state, the one STOP confirmation only once opted out.
 */
export function mayTextGo(kind: MessageKind, state: ConsentState): boolean {
  switch (kind) {
    case 'help':
    case 'clarification':
      return true;
    case 'stop_confirmation':
      return state === 'opted_out';
    case 'confirmation_request':
      return state === 'pending';
    case 'welcome':
      return state === 'active';
    default:
      return mayQueueGo(kind, state);
  }
}

/** States from which nothing queued can ever go again without a new opt-in. */
export function isClosed(state: ConsentState): boolean {
  return state === 'opted_out' || state === 'expired' || state === 'lapsed' || state === 'refused';
}

/** The first queued text that may go now, keeping arrival order among those that may. */
export function nextSendable(s: CarriedState, now: number): QueuedText | undefined {
  return s.outbox.find((t) => mayQueueGo(t.kind, s.consentState) && readyAt(t) <= now);
}

function readyAt(t: QueuedText): number {
  const held = t.heldUntil ? Date.parse(t.heldUntil) : 0;
  const notBefore = t.notBefore ? Date.parse(t.notBefore) : 0;
  return Math.max(held, notBefore);
}

export function reminderDueAt(s: CarriedState, settings: LifecycleSettings): number | null {
  if (s.consentState !== 'active' || s.reminder.since === null || s.reminder.appendToNext) {
    return null;
  }
  return Date.parse(s.reminder.since) + settings.reminderEveryDays * DAY_MS;
}

export function reminderDueByCount(s: CarriedState, settings: LifecycleSettings): boolean {
  const every = settings.reminderEveryMessages;
  return s.consentState === 'active' && !s.reminder.appendToNext && every !== null && s.reminder.messagesSince >= every;
}

/** The earliest instant at which something time-driven must happen, or null. */
export function nextWakeAt(s: CarriedState, settings: LifecycleSettings): number | null {
  const instants: number[] = [];
  const add = (iso: string | null): void => {
    if (iso) {
      instants.push(Date.parse(iso));
    }
  };
  if (s.consentState === 'pending') {
    add(s.confirmationDeadline);
  }
  if (s.consentState === 'paused') {
    add(s.reconsentDeadline);
  }
  if (s.consentState === 'active') {
    add(s.consentExpiresAt);
  }
  const reminder = reminderDueAt(s, settings);
  if (reminder !== null) {
    instants.push(reminder);
  }
  for (const t of s.outbox) {
    add(t.deadline);
    if (mayQueueGo(t.kind, s.consentState)) {
      instants.push(readyAt(t));
    }
  }
  return instants.length === 0 ? null : Math.min(...instants);
}

export function confirmationDeadlineFrom(now: number, settings: LifecycleSettings): string {
  return new Date(now + settings.confirmationWindowHours * HOUR_MS).toISOString();
}

/** "active · next text held until 09:00 America/Chicago (quiet hours)". */
export function statusLine(s: CarriedState): string {
  const parts: string[] = [s.consentState];
  const held = s.outbox.find((t) => t.heldUntil !== null && mayQueueGo(t.kind, s.consentState));
  if (held) {
    parts.push(`next text held until ${held.heldUntilLocal ?? held.heldUntil} (${held.holdReason ?? held.holdRule})`);
  }
  const waiting = s.outbox.length - (held ? 1 : 0);
  if (waiting > 0) {
    parts.push(`${waiting} more text${waiting === 1 ? '' : 's'} queued`);
  }
  if (s.consentState === 'pending' && s.confirmationDeadline) {
    parts.push(`confirmation window ends ${s.confirmationDeadline}`);
  }
  if (s.consentState === 'paused' && s.reconsentDeadline) {
    parts.push(`re-consent window ends ${s.reconsentDeadline}`);
  }
  return parts.join(' · ');
}

export function publicState(ids: { subscriberId: string; programId: string }, s: CarriedState): LifecycleState {
  const reminder = s.settings ? reminderDueAt(s, s.settings) : null;
  return {
    subscriberId: ids.subscriberId,
    programId: ids.programId,
    consentState: s.consentState,
    consentType: s.consentType,
    pending: s.outbox.map((t) => ({
      requestId: t.requestId,
      kind: t.kind,
      heldUntil: t.heldUntil,
      holdRule: t.holdRule,
      holdReason: t.holdReason,
    })),
    nextReminderAt: reminder === null ? null : new Date(reminder).toISOString(),
    confirmationDeadline: s.confirmationDeadline,
    reconsentDeadline: s.reconsentDeadline,
    consentExpiresAt: s.consentExpiresAt,
    sentCount: s.sentCount,
    remindersSent: s.reminder.cycle,
    status: statusLine(s),
  };
}
