// The subscriber lifecycle: one long-lived workflow per (program, phone) that
// owns the person's consent and every text sent to them. Handlers only queue
// commands; the main loop runs them one at a time, so a STOP, a hold or a
// policy change can never race a send. Activities do all I/O and see IDs only.
import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities, PreparedText, SendActivities, SendOutcome, TextRequest } from '../activities/lifecycle.js';
import { SEND_ACTIVITY_OPTIONS } from '../carriers/send-policy.js';
import { isReplyKind } from '../compliance/kinds.js';
import type { MessageKind } from '../compliance/types.js';
import type { LedgerEventType } from '../ledger/ledger.js';
import { searchAttributes } from '../temporal/shared.js';
import {
  carrierEventSignal,
  enqueueTextSignal,
  inboundSignal,
  optInUpdate,
  optOutUpdate,
  policyChangeSignal,
  stateQuery,
  type CarriedState,
  type ConsentState,
  type EnqueueTextSignal,
  type InboundSignal,
  type LifecycleInput,
  type OptInRequest,
  type OptInResult,
  type OptOutRequest,
  type OptOutResult,
  type PolicyChangeSignal,
  type QueuedText,
} from './messages.js';
import {
  confirmationDeadlineFrom,
  initialState,
  isClosed,
  nextSendable,
  nextWakeAt,
  publicState,
  recordCappedSend,
  remember,
  reminderDueAt,
  reminderDueByCount,
  statusLine,
} from './lifecycle/state.js';

const acts = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '30s',
  // A database outage holds the subscriber's lifecycle rather than failing it;
  // after a day the run fails visibly for an operator to look at.
  scheduleToCloseTimeout: '1 day',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['LifecycleDataError'],
  },
});

type Command =
  | { type: 'optIn'; request: OptInRequest }
  | { type: 'optOut'; request: OptOutRequest }
  | { type: 'inbound'; signal: InboundSignal }
  | { type: 'carrierOptOut'; key: string; messageId: string; errorCode: string }
  | { type: 'policyChange'; change: PolicyChangeSignal };

/** Kinds whose send a STOP cancels mid-flight: everything the business started. */
function cancelledByStop(kind: MessageKind): boolean {
  return !isReplyKind(kind);
}

export async function subscriberLifecycle(input: LifecycleInput): Promise<void> {
  const { subscriberId, programId } = input;
  const workflowId = workflowInfo().workflowId;
  const ref = { subscriberId, programId, workflowId };
  const s: CarriedState = input.carried ?? initialState();
  const inbox: Command[] = [];
  const optInResults = new Map<string, OptInResult>();
  const optOutResults = new Map<string, OptOutResult>();
  let inFlight: { scope: CancellationScope; kind: MessageKind } | null = null;
  let enqueued = 0; // wakes the loop for every new text, whatever the state

  // Handlers first, before any await: signals buffered at start or carried over
  // a continue-as-new are delivered as soon as they are registered.
  setHandler(stateQuery, () => publicState(ref, s));

  setHandler(
    optInUpdate,
    async (request) => {
      if (!remember(s, `opt-in:${request.requestId}`)) {
        return optInResults.get(request.requestId) ?? { state: s.consentState, refusedReasons: [] };
      }
      inbox.push({ type: 'optIn', request });
      await condition(() => optInResults.has(request.requestId));
      return optInResults.get(request.requestId) as OptInResult;
    },
    { validator: validateOptIn },
  );

  setHandler(
    optOutUpdate,
    async (request) => {
      if (!remember(s, `opt-out:${request.requestId}`)) {
        return optOutResults.get(request.requestId) ?? { state: s.consentState, ledgerEventId: null };
      }
      stopBusinessSends();
      inbox.push({ type: 'optOut', request });
      await condition(() => optOutResults.has(request.requestId));
      return optOutResults.get(request.requestId) as OptOutResult;
    },
    { validator: validateOptOut },
  );

  setHandler(inboundSignal, (signal) => {
    if (!remember(s, `inbound:${signal.inboundId}`)) {
      return;
    }
    if (effectiveKeyword(signal) === 'stop') {
      stopBusinessSends();
    }
    inbox.push({ type: 'inbound', signal });
  });

  setHandler(carrierEventSignal, ({ messageId, errorCode }) => {
    const key = `carrier:${messageId}:${errorCode}`;
    // Only 21610 (the recipient's STOP held by the carrier) changes consent;
    // other codes are the send path's business and are recorded on the message.
    if (errorCode !== '21610' || !remember(s, key)) {
      return;
    }
    stopBusinessSends();
    inbox.push({ type: 'carrierOptOut', key, messageId, errorCode });
  });

  setHandler(enqueueTextSignal, (text) => {
    if (remember(s, `text:${text.requestId}`)) {
      s.outbox.push(queued(text));
      enqueued += 1;
    }
  });

  setHandler(policyChangeSignal, (change) => {
    if (remember(s, `policy:${change.changeId}`)) {
      inbox.push({ type: 'policyChange', change });
    }
  });

  function stopBusinessSends(): void {
    if (inFlight && cancelledByStop(inFlight.kind)) {
      inFlight.scope.cancel();
    }
  }

  // ---- consent changes -------------------------------------------------------

  function setState(next: ConsentState): void {
    if (s.consentState !== next) {
      s.consentState = next;
      upsertSearchAttributes([{ key: searchAttributes.consentState, value: next }]);
    }
  }

  async function change(
    type: LedgerEventType,
    to: ConsentState,
    key: string,
    source: string,
    evidence: Record<string, string | number | boolean | null>,
    occurredAt: string = nowIso(),
  ): Promise<string> {
    const done = await acts.changeConsent({ ref, type, to, key, source, at: occurredAt, evidence });
    setState(to);
    s.consentExpiresAt = done.consentExpiresAt;
    return done.eventId;
  }

  /** Records the opt-in, answers the caller (`answer`) as soon as it is recorded, then texts. */
  async function optIn(request: OptInRequest, resubscribe: boolean, answer: (r: OptInResult) => void): Promise<void> {
    const done = await acts.recordOptIn({ ref, request, at: nowIso(), resubscribe });
    s.settings = done.settings;
    s.consentType = done.consentType;
    s.cycleKey = request.requestId;
    s.clarificationSent = false;
    setState(done.state);
    answer({ state: done.state, refusedReasons: done.refusedReasons });
    if (done.state === 'pending') {
      s.confirmationDeadline = confirmationDeadlineFrom(Date.now(), done.settings);
      await sendReply('confirmation_request', `confirmation-request:${request.requestId}`);
    } else if (done.state === 'active') {
      await activated(done.consentExpiresAt, `welcome:${request.requestId}`);
    }
  }

  async function confirm(inboundId: string): Promise<void> {
    await change('confirmed', 'active', `confirmed:${s.cycleKey ?? inboundId}`, 'keyword', { inboundId });
    await activated(s.consentExpiresAt, `welcome:${s.cycleKey ?? inboundId}`);
  }

  async function activated(expiresAt: string | null, welcomeKey: string): Promise<void> {
    s.consentExpiresAt = expiresAt;
    s.confirmationDeadline = null;
    s.reminder = { ...s.reminder, since: nowIso(), messagesSince: 0, appendToNext: false };
    await sendReply('welcome', welcomeKey);
  }

  /** Records the opt-out, answers (`answer`) once it is in the ledger, then the one confirmation text. */
  async function optOut(
    key: string,
    source: string,
    evidence: Record<string, string | null>,
    reply: boolean,
    answer: (ledgerEventId: string | null) => void = () => undefined,
  ): Promise<void> {
    if (s.consentState === 'opted_out') {
      answer(null);
      return;
    }
    const type: LedgerEventType = source === 'carrier' ? 'carrier_opt_out' : 'opted_out';
    answer(await change(type, 'opted_out', key, source, evidence));
    await closeOutbox('opted out');
    if (reply) {
      await sendReply('stop_confirmation', `stop-confirmation:${key}`);
    }
  }

  /** Consent is gone: every queued text is recorded as skipped, none dropped silently. */
  async function closeOutbox(reason: string): Promise<void> {
    s.confirmationDeadline = null;
    s.reconsentDeadline = null;
    s.reminder = { ...s.reminder, since: null, messagesSince: 0, appendToNext: false };
    if (s.outbox.length === 0) {
      return;
    }
    const texts = s.outbox.map((t) => ({ requestId: t.requestId, kind: t.kind, campaignId: t.campaignId }));
    s.outbox = [];
    await acts.skipTexts({ ref, texts, reason, at: nowIso() });
  }

  // ---- commands -------------------------------------------------------------

  async function run(command: Command): Promise<void> {
    switch (command.type) {
      case 'optIn': {
        const { requestId } = command.request;
        return runOptIn(command.request, (result) => optInResults.set(requestId, result));
      }
      case 'optOut': {
        const { requestId, source, reason } = command.request;
        const answer = (ledgerEventId: string | null) => optOutResults.set(requestId, { state: s.consentState, ledgerEventId });
        return optOut(`opt-out:${requestId}`, source, { requestId, reason }, source !== 'carrier', answer);
      }
      case 'inbound':
        return runInbound(command.signal);
      case 'carrierOptOut':
        await optOut(command.key, 'carrier', { messageId: command.messageId, errorCode: command.errorCode }, false);
        return;
      case 'policyChange':
        return runPolicyChange(command.change);
    }
  }

  async function runOptIn(request: OptInRequest, answer: (r: OptInResult) => void): Promise<void> {
    if (s.consentState === 'active' || s.consentState === 'pending' || s.consentState === 'paused') {
      // Already subscribed or waiting for the reply: a repeated sign-up changes nothing.
      answer({ state: s.consentState, refusedReasons: [] });
      return;
    }
    await optIn(request, s.consentState === 'opted_out', answer);
  }

  async function runInbound(signal: InboundSignal): Promise<void> {
    const { inboundId } = signal;
    switch (effectiveKeyword(signal)) {
      case 'stop':
        // When the carrier itself handled the STOP it has already answered, and
        // it blocks further texts: a confirmation of ours could not arrive.
        await optOut(`opt-out:${inboundId}`, 'keyword', { inboundId }, signal.carrierOptOut !== 'STOP');
        return;
      case 'help':
        await sendReply('help', `help:${inboundId}`);
        return;
      case 'confirm':
      case 'start':
        return runYes(signal);
      default:
        if (signal.ambiguous && !s.clarificationSent && hasConsent(s.consentState)) {
          // FCC 24-24: one text may ask what an unclear reply meant, once.
          s.clarificationSent = true;
          await sendReply('clarification', `clarification:${inboundId}`);
        }
    }
  }

  async function runYes(signal: InboundSignal): Promise<void> {
    const { inboundId } = signal;
    if (s.consentState === 'pending') {
      return confirm(inboundId);
    }
    if (s.consentState === 'paused') {
      await change('reconsent_given', 'active', `reconsent-given:${s.cycleKey ?? inboundId}`, 'keyword', { inboundId });
      s.reconsentDeadline = null;
      await dropQueued((t) => t.kind === 'reconsent', 're-consent already given');
      return;
    }
    if (s.consentState === 'active' || effectiveKeyword(signal) === 'confirm') {
      // A YES with nothing to confirm is not an opt-in; START from a subscriber changes nothing.
      return;
    }
    const request: OptInRequest = {
      requestId: inboundId,
      source: 'keyword',
      consentType: 'express_written',
      evidenceId: inboundId,
      occurredAt: nowIso(),
    };
    await optIn(request, s.consentState === 'opted_out', () => undefined);
  }

  async function runPolicyChange(policy: PolicyChangeSignal): Promise<void> {
    if (s.consentState !== 'active' && s.consentState !== 'paused') {
      return;
    }
    const { changeId } = policy;
    if (!policy.material) {
      s.outbox.push(lifecycleText('policy_notice', `policy-notice:${changeId}`, changeId));
      return;
    }
    s.cycleKey = changeId;
    if (s.consentState === 'active') {
      const evidence = { changeId, policy: policy.policy, version: policy.version };
      await change('reconsent_prompted', 'paused', `reconsent-prompted:${changeId}`, 'policy_change', evidence);
    }
    // The window opens when the prompt goes out (it may be held by quiet hours).
    s.reconsentDeadline = null;
    s.outbox.push(lifecycleText('reconsent', `reconsent:${changeId}`, changeId));
  }

  async function dropQueued(match: (t: QueuedText) => boolean, reason: string): Promise<void> {
    const dropped = s.outbox.filter(match);
    if (dropped.length === 0) {
      return;
    }
    s.outbox = s.outbox.filter((t) => !match(t));
    const texts = dropped.map((t) => ({ requestId: t.requestId, kind: t.kind, campaignId: t.campaignId }));
    await acts.skipTexts({ ref, texts, reason, at: nowIso() });
  }

  // ---- time-driven work -------------------------------------------------------

  /** Deadlines and reminders; true when something was done. */
  async function runDue(now: number): Promise<boolean> {
    const key = s.cycleKey ?? 'none';
    // Each lapse is recorded at the instant it took effect, not when the timer was handled.
    if (s.consentState === 'pending' && s.confirmationDeadline && due(s.confirmationDeadline, now)) {
      const deadline = s.confirmationDeadline;
      await change('confirmation_expired', 'expired', `confirmation-expired:${key}`, 'lifecycle', { deadline }, deadline);
      await closeOutbox('confirmation window expired');
      return true;
    }
    if (s.consentState === 'paused' && s.reconsentDeadline && due(s.reconsentDeadline, now)) {
      const deadline = s.reconsentDeadline;
      await change('reconsent_lapsed', 'lapsed', `reconsent-lapsed:${key}`, 'lifecycle', { deadline }, deadline);
      await closeOutbox('re-consent window expired');
      return true;
    }
    if (s.consentState === 'active' && s.consentExpiresAt && due(s.consentExpiresAt, now)) {
      // CASL: implied consent ends 2 years after a purchase, 6 months after an inquiry.
      const expiredAt = s.consentExpiresAt;
      const evidence = { consentType: s.consentType, expiredAt };
      await change('consent_expired', 'expired', `consent-expired:${key}:${expiredAt}`, 'lifecycle', evidence, expiredAt);
      await closeOutbox('consent expired');
      return true;
    }
    if ((isClosed(s.consentState) || s.consentState === 'new') && s.outbox.length > 0) {
      await dropQueued(() => true, `consent ${s.consentState}`);
      return true;
    }
    const pastDeadline = s.outbox.filter((t) => due(t.deadline, now));
    if (pastDeadline.length > 0) {
      await dropQueued((t) => pastDeadline.includes(t), 'deadline passed before the text could be sent');
      return true;
    }
    return issueReminder(now);
  }

  function issueReminder(now: number): boolean {
    const { settings } = s;
    if (!settings) {
      return false;
    }
    const dueAt = reminderDueAt(s, settings);
    const byTime = dueAt !== null && dueAt <= now;
    if (!byTime && !reminderDueByCount(s, settings)) {
      return false;
    }
    // The clock restarts when the reminder falls due, so holds do not drift the cadence.
    const since = byTime && dueAt !== null ? new Date(dueAt).toISOString() : nowIso();
    s.reminder = { ...s.reminder, since, messagesSince: 0, cycle: s.reminder.cycle + 1 };
    if (settings.reminderMode === 'append') {
      s.reminder.appendToNext = true;
    } else {
      // Ahead of queued texts: the reminder is due now, they are not.
      s.outbox.unshift(lifecycleText('reminder', `reminder:${s.reminder.cycle}`, null));
    }
    return true;
  }

  // ---- sending ----------------------------------------------------------------

  /** A reply to the subscriber's own action: goes at once, no hold, no cancellation by STOP. */
  async function sendReply(kind: MessageKind, requestId: string): Promise<void> {
    const prepared = await acts.prepareText(textRequest(kind, requestId, null, false));
    if (prepared.status === 'ready') {
      await deliver(kind, requestId, prepared, false);
    }
  }

  /** Tries the next queued text: held (wait and re-plan), skipped, or sent. */
  async function sendQueued(t: QueuedText): Promise<void> {
    const scope = new CancellationScope();
    inFlight = { scope, kind: t.kind };
    try {
      await scope.run(() => attempt(t));
    } catch (err) {
      // A STOP cancelled this send; the opt-out records the text as skipped.
      if (!isCancellation(err)) {
        throw err;
      }
    } finally {
      inFlight = null;
    }
  }

  async function attempt(t: QueuedText): Promise<void> {
    const append = (t.kind === 'marketing' || t.kind === 'informational') && s.reminder.appendToNext;
    const prepared = await acts.prepareText(textRequest(t.kind, t.requestId, t, append));
    if (prepared.status === 'held') {
      t.heldUntil = prepared.until;
      t.heldUntilLocal = prepared.untilLocal;
      t.holdRule = prepared.rule;
      t.holdReason = prepared.reason;
      return;
    }
    s.outbox = s.outbox.filter((q) => q !== t);
    if (prepared.status === 'ready') {
      await deliver(t.kind, t.requestId, prepared, append);
    }
  }

  async function deliver(
    kind: MessageKind,
    requestId: string,
    prepared: Extract<PreparedText, { status: 'ready' }>,
    appendedReminder: boolean,
  ): Promise<void> {
    const outcome = await send(prepared);
    if (outcome === null) {
      return;
    }
    if (outcome.outcome === 'rejected') {
      if (outcome.optedOut) {
        inbox.unshift({ type: 'carrierOptOut', key: `carrier:${prepared.messageId}:21610`, messageId: prepared.messageId, errorCode: '21610' });
      }
      return;
    }
    const at = Date.now();
    afterSent(kind, at, appendedReminder);
    // The text is out: its ledger record must be written even if a STOP cancels the send's scope now.
    await CancellationScope.nonCancellable(() =>
      acts.recordTextSent({ ref, messageId: prepared.messageId, kind, requestId, at: nowIso(), appendedReminder }),
    );
  }

  async function send(prepared: Extract<PreparedText, { status: 'ready' }>): Promise<SendOutcome | null> {
    const carrier = proxyActivities<SendActivities>({
      ...SEND_ACTIVITY_OPTIONS,
      taskQueue: prepared.sendQueue,
    });
    try {
      return await carrier.sendMessage({ messageId: prepared.messageId });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) {
        throw err;
      }
      // The send path recorded the failure on the message row; the lifecycle goes on.
      log.warn('text not sent', { messageId: prepared.messageId, failure: err.cause?.name ?? 'unknown' });
      await acts.recordSendFailure({ ref, messageId: prepared.messageId, reason: err.cause?.message ?? 'send failed' });
      return null;
    }
  }

  function afterSent(kind: MessageKind, at: number, appendedReminder: boolean): void {
    s.sentCount += 1;
    if (kind === 'marketing' || kind === 'reconsent') {
      recordCappedSend(s, at);
    }
    if (kind === 'marketing' || kind === 'informational') {
      s.reminder.messagesSince += 1;
    }
    if (appendedReminder) {
      s.reminder = { ...s.reminder, appendToNext: false };
    }
    if (kind === 'reconsent' && s.settings) {
      s.reconsentDeadline = confirmationDeadlineFrom(at, s.settings);
    }
  }

  function textRequest(kind: MessageKind, requestId: string, t: QueuedText | null, appendReminder: boolean): TextRequest {
    return {
      ref,
      requestId,
      kind,
      templateRef: t?.templateRef ?? null,
      campaignId: t?.campaignId ?? null,
      deadline: t?.deadline ?? null,
      at: nowIso(),
      cappedSentAt: s.cappedSentAt,
      appendReminder,
    };
  }

  // ---- the main loop ------------------------------------------------------------

  const profile = await acts.loadProfile({ ref });
  s.settings = profile.settings;
  if (!input.carried) {
    s.consentState = profile.consentState;
    s.consentType = profile.consentType;
    s.consentExpiresAt = profile.consentExpiresAt;
    upsertSearchAttributes([
      { key: searchAttributes.program, value: programId },
      { key: searchAttributes.consentState, value: s.consentState },
      { key: searchAttributes.country, value: profile.country },
    ]);
  }

  for (;;) {
    setCurrentDetails(statusLine(s));
    const command = inbox.shift();
    if (command) {
      await run(command);
      continue;
    }
    if (shouldContinueAsNew(input)) {
      // Queued texts, deadlines and the reminder clock travel in `s`; handlers
      // finish first so no update is left without its answer.
      await condition(() => allHandlersFinished() || inbox.length > 0);
      if (inbox.length === 0) {
        await continueAsNew<typeof subscriberLifecycle>({ subscriberId, programId, carried: s, maxHistoryLength: input.maxHistoryLength });
      }
      continue;
    }
    if (await runDue(Date.now())) {
      continue;
    }
    const next = nextSendable(s, Date.now());
    if (next) {
      await sendQueued(next);
      continue;
    }
    await waitForWork(nextWakeAt(s, s.settings ?? profile.settings));
  }

  async function waitForWork(wakeAt: number | null): Promise<void> {
    const seen = enqueued;
    const woken = () => inbox.length > 0 || enqueued !== seen || nextSendable(s, Date.now()) !== undefined;
    if (wakeAt === null) {
      await condition(woken);
    } else {
      await condition(woken, Math.max(1, wakeAt - Date.now()));
    }
  }
}

function shouldContinueAsNew(input: LifecycleInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || (input.maxHistoryLength !== undefined && info.historyLength >= input.maxHistoryLength);
}

/** Someone who could still be texted: the one an unclear reply might be revoking. */
function hasConsent(state: ConsentState): boolean {
  return state === 'active' || state === 'pending' || state === 'paused';
}

function effectiveKeyword(signal: InboundSignal): InboundSignal['keyword'] {
  switch (signal.carrierOptOut) {
    case 'STOP':
      return 'stop';
    case 'START':
      return 'start';
    case 'HELP':
      return 'help';
    default:
      return signal.keyword;
  }
}

function queued(text: EnqueueTextSignal): QueuedText {
  return {
    requestId: text.requestId,
    kind: text.kind,
    campaignId: text.campaignId,
    stepIndex: text.stepIndex,
    templateRef: text.templateRef,
    notBefore: text.notBefore,
    deadline: text.deadline,
    heldUntil: null,
    heldUntilLocal: null,
    holdRule: null,
    holdReason: null,
  };
}

/** A lifecycle text queued like a drip step; `templateRef` names the template and its subject. */
function lifecycleText(kind: MessageKind, requestId: string, subject: string | null): QueuedText {
  const templateRef = subject ? `${kind}:${subject}` : kind;
  const text = queued({ requestId, kind: 'informational', campaignId: null, stepIndex: null, templateRef, notBefore: null, deadline: null });
  return { ...text, kind };
}

function due(iso: string | null, now: number): boolean {
  return iso !== null && Date.parse(iso) <= now;
}

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

function validateOptIn(request: OptInRequest): void {
  if (!request.requestId || !request.evidenceId || Number.isNaN(Date.parse(request.occurredAt))) {
    throw new Error('an opt-in needs requestId, evidenceId and an ISO occurredAt');
  }
}

function validateOptOut(request: OptOutRequest): void {
  if (!request.requestId) {
    throw new Error('an opt-out needs a requestId');
  }
}
