import { isPublicHoliday } from './holidays.js';
import { isHeldByWindows } from './kinds.js';
import { PROGRAM_RULE_ID, windowRulesFor, type WindowRule } from './window-rules.js';
import { DAY, MINUTE, clockLabel, isoDateOf, localDay, offsetAt, wallLabel, wallRangeToUtc, weekdayOf, type Interval } from './zone-clock.js';
import type { Jurisdiction, MessageKind, ProgramRules, QuietHours } from './types.js';

export interface WindowDecision {
  at: Date;
  allowedNow: boolean;
  rule: string;
  zone: string | null;
  reason: string;
}

export class NoSendWindowError extends Error {
  override readonly name = 'NoSendWindowError';
}

/** Searching further than this means the rules leave no window at all (e.g. a program window outside the law's). */
const HORIZON_DAYS = 14;
const MAX_ROUNDS = 64;

/**
 * The earliest instant at or after `now` that is inside the send window in every candidate zone,
 * and the rule that held the message. A program's quiet hours are intersected with the law's, so
 * they can only narrow it.
 */
export function nextAllowedSendTime(
  now: Date,
  recipient: Jurisdiction,
  program: Pick<ProgramRules, 'quietHours'>,
  kind: MessageKind,
): WindowDecision {
  if (!isHeldByWindows(kind)) {
    return notHeld(now, kind);
  }
  if (recipient.timeZones.length === 0) {
    throw new RangeError('the recipient has no candidate time zone');
  }
  const rules = compiledRules(recipient.country, recipient.region, program.quietHours);
  const start = now.getTime();
  let t = start;
  let heldBy: { zone: string; rule: string; why: string } | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const latest = latestOpening(recipient.timeZones, t, rules);
    if (latest.at === t) {
      return heldBy ? held(start, t, heldBy) : openNow(start, recipient.timeZones, rules);
    }
    heldBy ??= { zone: latest.zone, ...blockAt(latest.zone, t, rules) };
    t = latest.at;
  }
  throw new NoSendWindowError(`no common send window across ${recipient.timeZones.join(', ')}`);
}

function notHeld(now: Date, kind: MessageKind): WindowDecision {
  const emergency = kind === 'emergency';
  return {
    at: now,
    allowedNow: true,
    rule: emergency ? 'emergency-not-held' : 'reply-not-held',
    zone: null,
    reason: emergency
      ? 'emergency messages (health and safety) are exempt and go out at once'
      : `a ${kind} answers the subscriber's own action (FCC 2015 call-to-action ruling, CTIA HELP/STOP) and goes out at once`,
  };
}

function latestOpening(zones: readonly string[], t: number, rules: CompiledRules): { at: number; zone: string } {
  let best = { at: t, zone: zones[0] as string };
  for (const zone of zones) {
    const at = nextOpenInZone(zone, t, rules);
    if (at > best.at) {
      best = { at, zone };
    }
  }
  return best;
}

function held(start: number, at: number, heldBy: { zone: string; rule: string; why: string }): WindowDecision {
  const { zone, rule, why } = heldBy;
  return {
    at: new Date(at),
    allowedNow: false,
    rule,
    zone,
    reason: `held: ${wallLabel(zone, start)} in ${zone} ${why}; next allowed ${wallLabel(zone, at)} local`,
  };
}

/** Allowed now: report the rule that will close the window first, in the zone where it closes first. */
function openNow(t: number, zones: readonly string[], rules: CompiledRules): WindowDecision {
  let closing = { end: Number.POSITIVE_INFINITY, zone: zones[0] as string, plan: null as DayPlan | null };
  for (const zone of zones) {
    const plan = dayPlan(zone, localDay(zone, t), rules);
    const end = plan.intervals.find((interval) => interval.start <= t && t < interval.end)?.end ?? t;
    if (end < closing.end) {
      closing = { end, zone, plan };
    }
  }
  const rule = closing.plan?.end.rule ?? 'window-open';
  return {
    at: new Date(t),
    allowedNow: true,
    rule,
    zone: closing.zone,
    reason: `inside the send window in every candidate zone; closes ${wallLabel(closing.zone, closing.end)} ${closing.zone} (${rule})`,
  };
}

function nextOpenInZone(zone: string, t: number, rules: CompiledRules): number {
  const today = localDay(zone, t);
  // A clock set back across midnight can return to yesterday's date; only then look at yesterday.
  const from = offsetAt(zone, t) < offsetAt(zone, t - DAY) ? today - 1 : today;
  for (let day = from; day <= today + HORIZON_DAYS; day++) {
    const open = dayPlan(zone, day, rules).intervals.find((interval) => interval.end > t);
    if (open) {
      return Math.max(open.start, t);
    }
  }
  throw new NoSendWindowError(`no send window within ${HORIZON_DAYS} days in ${zone}`);
}

/** Why instant `t` is outside the window in `zone`: the deciding rule and a short explanation. */
function blockAt(zone: string, t: number, rules: CompiledRules): { rule: string; why: string } {
  const day = localDay(zone, t);
  const plan = dayPlan(zone, day, rules);
  if (plan.closedBy) {
    return { rule: plan.closedBy, why: `is a day without sends (${plan.closedBy})` };
  }
  const minute = (t + offsetAt(zone, t) - day * DAY) / MINUTE;
  return minute < plan.start.minute
    ? { rule: plan.start.rule, why: `is before ${clockLabel(plan.start.minute)} (${plan.start.rule})` }
    : { rule: plan.end.rule, why: `is after ${clockLabel(plan.end.minute)} (${plan.end.rule})` };
}

// ---- rules compiled per (country, region, program window), day plans cached per zone and day ----

interface CompiledRow {
  id: string;
  days: readonly number[] | null;
  holidays: string | null;
  startMinute: number;
  endMinute: number;
  closed: boolean;
}

interface CompiledRules {
  rows: CompiledRow[];
  /** Day plans by zone, then local day number. */
  plans: Map<string, Map<number, DayPlan>>;
  planCount: number;
}

interface Bound {
  minute: number;
  rule: string;
}

interface DayPlan {
  intervals: Interval[];
  start: Bound;
  end: Bound;
  closedBy: string | null;
}

/** Compiled rows by country, then region, then program window ("" when none). */
const compiledCache = new Map<string, Map<string, CompiledRules>>();
const MAX_PLANS_PER_RULES = 20_000;

function compiledRules(country: string, region: string | null, quietHours: QuietHours | null): CompiledRules {
  const regionKey = region ?? '';
  const windowKey = quietHours ? `${quietHours.start}-${quietHours.end}` : '';
  let byRegion = compiledCache.get(country);
  if (!byRegion) {
    byRegion = new Map();
    compiledCache.set(country, byRegion);
  }
  const key = `${regionKey}|${windowKey}`;
  let compiled = byRegion.get(key);
  if (!compiled) {
    // The program row comes first: on a tie the law's row is the one reported.
    const programRows = quietHours ? [compileRow(programRow(quietHours))] : [];
    compiled = { rows: [...programRows, ...windowRulesFor(country, region).map(compileRow)], plans: new Map(), planCount: 0 };
    byRegion.set(key, compiled);
  }
  return compiled;
}

function programRow(quietHours: QuietHours): WindowRule {
  if (parseClock(quietHours.start) >= parseClock(quietHours.end)) {
    throw new RangeError(`program quiet hours ${quietHours.start}–${quietHours.end}: start must be before end`);
  }
  return { id: PROGRAM_RULE_ID, countries: [], hours: quietHours, source: 'the program\'s own send window' };
}

function compileRow(row: WindowRule): CompiledRow {
  const base = { id: row.id, days: row.days ?? null, holidays: row.holidays ?? null };
  if (row.hours === 'closed') {
    return { ...base, startMinute: 0, endMinute: 0, closed: true };
  }
  return { ...base, startMinute: parseClock(row.hours.start), endMinute: parseClock(row.hours.end), closed: false };
}

function dayPlan(zone: string, day: number, rules: CompiledRules): DayPlan {
  let byDay = rules.plans.get(zone);
  if (!byDay) {
    byDay = new Map();
    rules.plans.set(zone, byDay);
  }
  let plan = byDay.get(day);
  if (!plan) {
    plan = buildDayPlan(zone, day, rules);
    if (rules.planCount >= MAX_PLANS_PER_RULES) {
      rules.plans.clear();
      rules.planCount = 0;
    }
    byDay.set(day, plan);
    rules.planCount++;
  }
  return plan;
}

/** Intersects every row in force that day; the latest start and earliest end win, ties to the later row. */
function buildDayPlan(zone: string, day: number, rules: CompiledRules): DayPlan {
  const weekday = weekdayOf(day);
  const isoDate = isoDateOf(day);
  let start: Bound = { minute: 0, rule: 'window-open' };
  let end: Bound = { minute: 24 * 60, rule: 'window-open' };
  let closedBy: string | null = null;
  for (const row of rules.rows) {
    if ((row.days && !row.days.includes(weekday)) || (row.holidays && !isPublicHoliday(row.holidays, isoDate))) {
      continue;
    }
    if (row.closed) {
      closedBy = row.id;
      continue;
    }
    if (row.startMinute >= start.minute) {
      start = { minute: row.startMinute, rule: row.id };
    }
    if (row.endMinute <= end.minute) {
      end = { minute: row.endMinute, rule: row.id };
    }
  }
  closedBy ??= start.minute >= end.minute ? end.rule : null;
  const intervals = closedBy
    ? []
    : wallRangeToUtc(zone, day * DAY + start.minute * MINUTE, day * DAY + end.minute * MINUTE);
  return { intervals, start, end, closedBy };
}

function parseClock(text: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$|^(24):(00)$/.exec(text);
  if (!match) {
    throw new RangeError(`"${text}" is not an HH:mm time`);
  }
  const hour = Number(match[1] ?? match[3]);
  const minute = Number(match[2] ?? match[4]);
  return hour * 60 + minute;
}

