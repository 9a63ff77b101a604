// Wall-clock arithmetic in explicit IANA zones, exact across DST changes, without reading the clock.
// "Wall time" below means milliseconds since the epoch as if the local clock reading were UTC.
import { IANAZone } from 'luxon';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const SAMPLE_STEP = 6 * HOUR;

export interface Interval {
  start: number;
  end: number;
}

/**
 * Offsets are cached per UTC day when the offset at the day's start, middle and end agree (no zone
 * changes offset twice within twelve hours). On a day holding a transition they are cached per
 * 15-minute slice instead, except the slice the transition falls in (current tz rules change offsets
 * on quarter-hour boundaries, so that slice is rare, and it is always computed exactly).
 */
const SLICE = 15 * MINUTE;
const MAX_CACHED_DAYS = 20_000;
const MAX_CACHED_SLICES = 20_000;

interface ZoneEntry {
  zone: IANAZone;
  days: Map<number, number>;
  slices: Map<number, number>;
}

const zoneEntries = new Map<string, ZoneEntry>();

function entryFor(zoneName: string): ZoneEntry {
  let entry = zoneEntries.get(zoneName);
  if (!entry) {
    const zone = IANAZone.create(zoneName);
    if (!zone.isValid) {
      throw new RangeError(`unknown time zone "${zoneName}"`);
    }
    entry = { zone, days: new Map(), slices: new Map() };
    zoneEntries.set(zoneName, entry);
  }
  return entry;
}

/** UTC offset in milliseconds at instant `t`. */
export function offsetAt(zoneName: string, t: number): number {
  const entry = entryFor(zoneName);
  const day = Math.floor(t / DAY);
  let steady = entry.days.get(day);
  if (steady === undefined) {
    steady = steadyOffset(entry.zone, day * DAY, DAY);
    remember(entry.days, day, steady, MAX_CACHED_DAYS);
  }
  if (!Number.isNaN(steady)) {
    return steady;
  }
  const slice = Math.floor(t / SLICE);
  let sliced = entry.slices.get(slice);
  if (sliced === undefined) {
    sliced = steadyOffset(entry.zone, slice * SLICE, SLICE);
    remember(entry.slices, slice, sliced, MAX_CACHED_SLICES);
  }
  return Number.isNaN(sliced) ? entry.zone.offset(t) * MINUTE : sliced;
}

/** The offset over [start, start + length) if it does not change there, else NaN. */
function steadyOffset(zone: IANAZone, start: number, length: number): number {
  const first = zone.offset(start);
  const unchanged = first === zone.offset(start + length / 2) && first === zone.offset(start + length - 1);
  return unchanged ? first * MINUTE : Number.NaN;
}

function remember(cache: Map<number, number>, key: number, value: number, limit: number): void {
  if (cache.size >= limit) {
    cache.clear();
  }
  cache.set(key, value);
}

/** Local calendar day of `t`, counted in days since 1970-01-01. */
export function localDay(zoneName: string, t: number): number {
  return Math.floor((t + offsetAt(zoneName, t)) / DAY);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

const isoDates = new Map<number, string>();

export function isoDateOf(day: number): string {
  let date = isoDates.get(day);
  if (date === undefined) {
    date = new Date(day * DAY).toISOString().slice(0, 10);
    if (isoDates.size >= MAX_CACHED_DAYS) {
      isoDates.clear();
    }
    isoDates.set(day, date);
  }
  return date;
}

/** "2026-03-08 03:00" as read on the local clock at instant `t`. */
export function wallLabel(zoneName: string, t: number): string {
  const wall = t + offsetAt(zoneName, t);
  const day = Math.floor(wall / DAY);
  const minute = Math.floor((wall - day * DAY) / MINUTE);
  return `${isoDateOf(day)} ${clockLabel(minute)}`;
}

/** Minutes after midnight as "HH:mm". */
export function clockLabel(minute: number): string {
  const hours = Math.floor(minute / 60);
  const minutes = minute % 60;
  return `${hours < 10 ? '0' : ''}${hours}:${minutes < 10 ? '0' : ''}${minutes}`;
}

/**
 * The instants at which the local clock reads within [wallStart, wallEnd). Split at offset changes,
 * so a start inside a spring-forward gap begins when the gap ends, and a range crossing a fall-back
 * hour includes both passes of the repeated hour.
 */
export function wallRangeToUtc(zoneName: string, wallStart: number, wallEnd: number): Interval[] {
  // Offsets lie within -12 h … +14 h, so every matching instant lies in this UTC range.
  const pieces = offsetPieces(zoneName, wallStart - 14 * HOUR, wallEnd + 12 * HOUR);
  const intervals: Interval[] = [];
  for (const piece of pieces) {
    const start = Math.max(piece.start, wallStart - piece.offset);
    const end = Math.min(piece.end, wallEnd - piece.offset);
    if (start >= end) {
      continue;
    }
    const last = intervals[intervals.length - 1];
    if (last && last.end === start) {
      last.end = end;
    } else {
      intervals.push({ start, end });
    }
  }
  return intervals;
}

interface OffsetPiece extends Interval {
  offset: number;
}

/** Constant-offset stretches of [from, to); transitions are found by bisection between samples. */
function offsetPieces(zoneName: string, from: number, to: number): OffsetPiece[] {
  const pieces: OffsetPiece[] = [];
  let pieceStart = from;
  let offset = offsetAt(zoneName, from);
  for (let t = from; t < to; t += SAMPLE_STEP) {
    const next = Math.min(t + SAMPLE_STEP, to);
    if (offsetAt(zoneName, next) !== offset) {
      const change = firstChange(zoneName, t, next, offset);
      pieces.push({ start: pieceStart, end: change, offset });
      pieceStart = change;
      offset = offsetAt(zoneName, change);
    }
  }
  pieces.push({ start: pieceStart, end: to, offset });
  return pieces;
}

/** First instant in (low, high] whose offset differs from `offset` at `low`. */
function firstChange(zoneName: string, low: number, high: number, offset: number): number {
  const zone = entryFor(zoneName).zone;
  let lo = low;
  let hi = high;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) * MINUTE === offset) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi;
}
