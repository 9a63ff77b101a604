// Text folding shared by keyword matching and content screening.

const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}' ]+/gu;
const APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4]/g;

const ASCII = /^[\x00-\x7f]*$/;

/** NFKC (full-width letters), accents removed, lower case: "Ｓｔôｐ" → "stop". */
export function fold(text: string): string {
  if (ASCII.test(text)) {
    // Unicode normalization leaves ASCII unchanged; skip it.
    return text.toLowerCase();
  }
  return text.normalize('NFKC').normalize('NFD').replace(MARKS, '').normalize('NFC').toLowerCase();
}

/** Folded words, with punctuation, emoji and hyphens treated as spaces. */
export function words(text: string): string[] {
  const cleaned = fold(text).replace(APOSTROPHES, "'").replace(NOT_WORD, ' ');
  return cleaned
    .split(' ')
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter((word) => word.length > 0);
}

/** Folded text with every non-word run collapsed to one space, for phrase patterns. */
export function flatten(text: string): string {
  return words(text).join(' ');
}

/** Leet-speak folding for screening lists: "b33r" → "beer", "$moke" → "smoke". */
export function unleet(text: string): string {
  return text.replace(/[0134578@$]/g, (ch) => LEET[ch] ?? ch);
}

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
};

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
