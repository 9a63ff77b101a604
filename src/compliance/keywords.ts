import {
  BUILT_IN_KEYWORDS,
  COMMON_WORDS_NOT_AMBIGUOUS,
  FILLER,
  NEGATED_BEFORE,
  NOT_MISSPELLINGS,
  REFUSALS,
  STOP_PHRASES,
  type KeywordEntry,
} from './keyword-lists.js';
import { words } from './text.js';
import type { KeywordMatch, ProgramKeywords } from './types.js';

type Found = { entry: KeywordEntry; viaProgram: boolean };

const BUILT_IN_BY_WORD = new Map(BUILT_IN_KEYWORDS.map((entry) => [entry.word, entry]));
const FUZZY = BUILT_IN_KEYWORDS.filter((entry) => entry.tolerance !== 'none');
const KIND_PRIORITY: readonly KeywordEntry['kind'][] = ['stop', 'help', 'start', 'confirm'];

const NOTHING: KeywordMatch = { kind: 'other', language: null, matched: null, via: 'none', ambiguous: false };

/**
 * Reads an inbound reply the way a reasonable person would (47 CFR 64.1200(a)(10)): exact keywords,
 * keywords with polite filler, misspellings, plain-language revocations; a keyword buried in an
 * unrelated sentence comes back as 'other' with `ambiguous` set so a person or a clarification decides.
 */
export function classifyInbound(body: string, programKeywords?: ProgramKeywords): KeywordMatch {
  const tokens = words(body);
  if (tokens.length === 0) {
    return NOTHING;
  }
  const lookup = keywordLookup(programKeywords);

  return (
    exactMatch(tokens, lookup) ??
    revocationPhrase(tokens) ??
    keywordWithFiller(tokens, lookup) ??
    misspelling(tokens) ??
    ambiguousMention(tokens, lookup) ??
    NOTHING
  );
}

function exactMatch(tokens: string[], lookup: Lookup): KeywordMatch | null {
  const spaced = tokens.join(' ');
  const candidates = [spaced, tokens.join(''), allSame(tokens) ? tokens[0] : undefined];
  for (const candidate of candidates) {
    const found = candidate === undefined ? undefined : lookup(candidate);
    if (found) {
      return result(found.entry, found.viaProgram ? 'program' : 'exact', false);
    }
  }
  return null;
}

function revocationPhrase(tokens: string[]): KeywordMatch | null {
  const text = tokens.join(' ');
  for (const { language, pattern } of STOP_PHRASES) {
    const match = pattern.exec(text);
    if (match && !NEGATED_BEFORE.test(text.slice(0, match.index))) {
      return { kind: 'stop', language, matched: match[0], via: 'phrase', ambiguous: false };
    }
  }
  return null;
}

/** "stop please", "yes I want to join", "STOP 2": one keyword, and nothing else that means anything. */
function keywordWithFiller(tokens: string[], lookup: Lookup): KeywordMatch | null {
  const found = withoutSupportingJoins(distinctKeywords(tokens, lookup));
  if (found.length !== 1 || tokens.length > 8) {
    return null;
  }
  const [only] = found as [Found];
  const filler = FILLER[only.entry.kind];
  const keywordWords = new Set(tokens.filter((token) => lookup(token) !== undefined || only.entry.word.split(' ').includes(token)));
  const rest = tokens.filter((token) => !keywordWords.has(token));
  const meaningless = rest.every((token) => filler.has(token) || (only.entry.kind === 'stop' && /^\d+$/.test(token)));
  return meaningless ? result(only.entry, only.viaProgram ? 'program' : 'phrase', false) : null;
}

/** "yes, I want to JOIN": an opt-in word next to a confirmation only supports it. */
function withoutSupportingJoins(found: Found[]): Found[] {
  const confirms = found.some(({ entry }) => entry.kind === 'confirm');
  return confirms ? found.filter(({ entry }) => entry.kind !== 'start') : found;
}

function misspelling(tokens: string[]): KeywordMatch | null {
  const candidates = tokens.filter((token) => !FILLER.stop.has(token) && !FILLER.help.has(token));
  if (candidates.length !== 1) {
    return null;
  }
  const entry = closestKeyword(candidates[0] as string);
  return entry ? result(entry, 'misspelling', false) : null;
}

function ambiguousMention(tokens: string[], lookup: Lookup): KeywordMatch | null {
  const found = distinctKeywords(tokens, lookup).filter(({ entry }) => !COMMON_WORDS_NOT_AMBIGUOUS.has(entry.word));
  found.sort((a, b) => KIND_PRIORITY.indexOf(a.entry.kind) - KIND_PRIORITY.indexOf(b.entry.kind));
  const [first] = found;
  if (first) {
    return { kind: 'other', language: first.entry.language, matched: display(first.entry.word), via: 'none', ambiguous: true };
  }
  const refusal = tokens.length <= 3 && tokens.find((token) => REFUSALS.has(token));
  return refusal ? { kind: 'other', language: null, matched: 'NO', via: 'none', ambiguous: true } : null;
}

function distinctKeywords(tokens: string[], lookup: Lookup): Found[] {
  const seen = new Map<KeywordEntry, Found>();
  const grams = [...tokens, ...tokens.slice(1).map((token, i) => `${tokens[i]} ${token}`)];
  for (const gram of grams) {
    const found = lookup(gram);
    if (found && !seen.has(found.entry)) {
      seen.set(found.entry, found);
    }
  }
  return [...seen.values()];
}

/** Bounded edit distance, only for words of four letters or more, never for real look-alike words. */
function closestKeyword(token: string): KeywordEntry | null {
  if (token.length < 4 || NOT_MISSPELLINGS.has(token)) {
    return null;
  }
  const squeezed = squeeze(token);
  for (const entry of FUZZY) {
    const target = squeeze(entry.word);
    if (squeezed === target) {
      return entry;
    }
    const distance = osaDistance(squeezed, target);
    if (entry.tolerance === 'transpose' && distance === 1 && isTransposition(squeezed, target)) {
      return entry;
    }
    if (entry.tolerance === 'edit' && sameStart(squeezed, target) && distance <= maxEdits(target)) {
      return entry;
    }
  }
  return null;
}

function maxEdits(word: string): number {
  return word.length >= 9 ? 2 : 1;
}

/** Same first letter, or the first two letters swapped ("tsop"). Keeps "subscribe" away from "unsubscribe". */
function sameStart(a: string, b: string): boolean {
  return a[0] === b[0] || (a[0] === b[1] && a[1] === b[0]);
}

function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) {
    return false;
  }
  const diff = [...a].flatMap((ch, i) => (ch === b[i] ? [] : [i]));
  const [i, j] = diff as [number, number];
  return diff.length === 2 && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

/** "stooopp" → "stop": stretched letters are emphasis, not a different word. */
function squeeze(word: string): string {
  return word.replace(/(.)\1+/gu, '$1');
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function osaDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) {
    (rows[0] as number[])[j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i] as number[];
      const prev = rows[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

type Lookup = (word: string) => Found | undefined;

/** Built-in words first; a program's own words add to them and never replace them. */
function keywordLookup(programKeywords: ProgramKeywords | undefined): Lookup {
  const program = programKeywords ? programEntries(programKeywords) : null;
  return (word) => {
    const builtIn = BUILT_IN_BY_WORD.get(word);
    if (builtIn) {
      return { entry: builtIn, viaProgram: false };
    }
    const own = program?.get(word);
    return own ? { entry: own, viaProgram: true } : undefined;
  };
}

/** Keyed by content, so an edited keyword list is never served from a stale entry. */
const programCache = new Map<string, Map<string, KeywordEntry>>();

function programEntries(keywords: ProgramKeywords): Map<string, KeywordEntry> {
  const key = JSON.stringify(keywords);
  const cached = programCache.get(key);
  if (cached) {
    return cached;
  }
  const lists: [KeywordEntry['kind'], string[] | undefined][] = [
    ['stop', keywords.stop],
    ['help', keywords.help],
    ['start', keywords.start],
    ['start', keywords.join],
    ['confirm', keywords.confirm],
  ];
  const map = new Map<string, KeywordEntry>();
  for (const [kind, list] of lists) {
    for (const raw of list ?? []) {
      const word = words(raw).join(' ');
      if (word && !map.has(word)) {
        map.set(word, { word, kind, language: null, tolerance: 'none' });
      }
    }
  }
  if (programCache.size >= 1_000) {
    programCache.clear();
  }
  programCache.set(key, map);
  return map;
}

function result(entry: KeywordEntry, via: KeywordMatch['via'], ambiguous: boolean): KeywordMatch {
  return { kind: entry.kind, language: entry.language, matched: display(entry.word), via, ambiguous };
}

function display(word: string): string {
  return word.toUpperCase();
}

function allSame(tokens: string[]): boolean {
  return tokens.every((token) => token === tokens[0]);
}
