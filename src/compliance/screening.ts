// Context-free screening of a message body, computed once per body: a campaign sends one body to many.
// SHAFT-C (CTIA): obscenity's English dataset for sex and hate, our own lists for alcohol, firearms,
// tobacco and cannabis; links and public shorteners; political and religious vocabulary; encoding.
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { POLITICAL_RELIGIOUS_WORDS, PUBLIC_SHORTENERS, SHAFT_SAFE_PHRASES, SHAFT_WORDS } from './content-lists.js';
import { countSegments } from './segments.js';
import { escapeRegExp, flatten, unleet } from './text.js';

export type ShaftCategory = keyof typeof SHAFT_WORDS;

export interface Analysis {
  text: string;
  urls: string[];
  shortened: string[];
  obscene: boolean;
  shaft: ShaftCategory[];
  political: string | null;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  nonGsm: string[];
}

const analyses = new Map<string, Analysis>();
const MAX_ANALYSES = 10_000;

/** The expensive part of linting, remembered per body. */
export function analyse(body: string): Analysis {
  let analysis = analyses.get(body);
  if (!analysis) {
    const text = flatten(body);
    const screened = flatten(withoutSafePhrases(text));
    const leet = flatten(withoutSafePhrases(flatten(unleet(body.toLowerCase()))));
    const { encoding, segments, nonGsm } = countSegments(body);
    const urls = findUrls(body);
    analysis = {
      text,
      urls,
      shortened: urls.filter(isPublicShortener),
      obscene: profanity().hasMatch(body),
      shaft: (Object.keys(SHAFT_WORDS) as ShaftCategory[]).filter(
        (category) => shaftPatterns()[category].test(screened) || shaftPatterns()[category].test(leet),
      ),
      political: politicalPattern().exec(screened)?.[0].trim() ?? null,
      encoding,
      segments,
      nonGsm,
    };
    if (analyses.size >= MAX_ANALYSES) {
      analyses.clear();
    }
    analyses.set(body, analysis);
  }
  return analysis;
}

let matcher: RegExpMatcher | null = null;

/** French and Spanish words that obscenity's English list misreads once letters are squeezed ("rappel"). */
const FOREIGN_WHITELIST = ['rappel', 'rappels', 'rappelle', 'rappeler'];

function profanity(): RegExpMatcher {
  if (!matcher) {
    const english = englishDataset.build();
    matcher = new RegExpMatcher({
      ...english,
      whitelistedTerms: [...(english.whitelistedTerms ?? []), ...FOREIGN_WHITELIST],
      ...englishRecommendedTransformers,
    });
  }
  return matcher;
}

let shaftCompiled: Record<ShaftCategory, RegExp> | null = null;

function shaftPatterns(): Record<ShaftCategory, RegExp> {
  shaftCompiled ??= {
    alcohol: wordPattern(SHAFT_WORDS.alcohol),
    firearms: wordPattern(SHAFT_WORDS.firearms),
    tobacco: wordPattern(SHAFT_WORDS.tobacco),
    cannabis: wordPattern(SHAFT_WORDS.cannabis),
  };
  return shaftCompiled;
}

let politicalCompiled: RegExp | null = null;

function politicalPattern(): RegExp {
  politicalCompiled ??= wordPattern(POLITICAL_RELIGIOUS_WORDS);
  return politicalCompiled;
}

/** Whole words or phrases on flattened text (single spaces, no punctuation). */
function wordPattern(list: readonly string[]): RegExp {
  const alternatives = [...new Set(list.map((word) => flatten(word)))].map(escapeRegExp).join('|');
  return new RegExp(`(?:^| )(?:${alternatives})(?= |$)`);
}

const SAFE = new RegExp(`(?:^| )(?:${SHAFT_SAFE_PHRASES.map(escapeRegExp).join('|')})(?= |$)`, 'g');

function withoutSafePhrases(text: string): string {
  return text.replace(SAFE, ' ');
}

const URL_PATTERN = /\b(?:https?:\/\/)?(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,24}(?::\d+)?(?:\/[^\s]*)?/gi;
const COMMON_TLDS = new Set([
  'com', 'net', 'org', 'io', 'co', 'ly', 'gl', 'gd', 'cc', 'at', 'ru', 'fr', 'de', 'uk', 'us', 'ca', 'au', 'cn', 'me', 'info',
  'biz', 'app', 'link', 'example', 'shop', 'store', 'site', 'online', 'in', 'to', 'id', 'ink', 'ae', 'one', 'mx', 'br', 'es',
]);

/** Links: with a scheme, "www.", a path, or a familiar top-level domain ("e.g." and "Mr.Smith" are not links). */
function findUrls(body: string): string[] {
  return [...body.matchAll(URL_PATTERN)]
    .map((match) => match[0])
    .filter((candidate) => {
      const host = hostOf(candidate);
      const tld = host.split('.').pop() ?? '';
      return /^https?:\/\//i.test(candidate) || /^www\./i.test(candidate) || candidate.includes('/') || COMMON_TLDS.has(tld);
    });
}

function hostOf(url: string): string {
  return url.replace(/^https?:\/\//i, '').split(/[/:?#]/)[0]?.toLowerCase().replace(/^www\./, '') ?? '';
}

function isPublicShortener(url: string): boolean {
  const host = hostOf(url);
  return PUBLIC_SHORTENERS.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
