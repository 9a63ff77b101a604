// Wall-clock arithmetic in explicit IANA zones, exact across DST changes, without reading the clock.
// "Wall time" below means milliseconds since the epoch as if the local clock reading were UTC.
import { IANAZone } from 'luxon';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface Interval {
  start: number;
  end: number;
}

/** Offsets are cached per 15-minute slice: current tz rules only change offset on such a boundary. */
const SLICE = 15 * MINUTE;
const SAMPLE_STEP = 6 * HOUR;
const MAX_CACHED_SLICES = 50_000;

interface ZoneEntry {
  zone: IANAZone;
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
    entry = { zone, slices: new Map() };
    zoneEntries.set(zoneName, entry);
  }
  return entry;
}

/** UTC offset in milliseconds at instant `t`. A slice holding a transition is never cached. */
export function offsetAt(zoneName: string, t: number): number {
  const entry = entryFor(zoneName);
  const slice = Math.floor(t / SLICE);
  let cached = entry.slices.get(slice);
  if (cached === undefined) {
    const first = entry.zone.offset(slice * SLICE);
    const last = entry.zone.offset(slice * SLICE + SLICE - 1);
    cached = first === last ? first * MINUTE : Number.NaN;
    if (entry.slices.size >= MAX_CACHED_SLICES) {
      entry.slices.clear();
    }
    entry.slices.set(slice, cached);
  }
  return Number.isNaN(cached) ? entry.zone.offset(t) * MINUTE : cached;
}

/** Local calendar day of `t`, counted in days since 1970-01-01. */
export function localDay(zoneName: string, t: number): number {
  return Math.floor((t + offsetAt(zoneName, t)) / DAY);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isoDateOf(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** "2026-03-08 03:00" as read on the local clock at instant `t`. */
export function wallLabel(zoneName: string, t: number): string {
  return new Date(t + offsetAt(zoneName, t)).toISOString().slice(0, 16).replace('T', ' ');
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
