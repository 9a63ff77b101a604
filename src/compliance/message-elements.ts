// Detectors for the elements a message must (or must not) carry. They run on folded text: lower
// case, no accents, punctuation as spaces ("Msg & data rates may apply." → "msg data rates may apply").
import { PROMOTIONAL_WORDS } from './content-lists.js';
import { escapeRegExp, flatten, fold } from './text.js';
import type { Language, ProgramRules } from './types.js';

const VERB = "(?:reply|text|txt|send|respond|responde|responda|contesta|envia|manda|escribe|repondez|repondre|envoyez|envoyer|tapez)";
const WITH = '(?: with| con| par| avec)?';
const STOP_WORDS = 'stop|stopall|end|cancel|unsubscribe|quit|optout|opt out|alto|baja|arret|arrete|td';
const STOP_PURPOSE =
  "(?:opt out|optout|unsubscribe|cancel|end|stop|quit|cancelar|darte de baja|dejar de recibir|salir|vous desabonner|se desabonner|vous desinscrire|arreter|ne plus recevoir)";

/** Instruction patterns embed a program's own keywords; they are compiled once per keyword list. */
const compiled = new Map<string, RegExp[]>();

function patternsFor(kind: string, extra: string[] | undefined, build: (words: string) => string[]): RegExp[] {
  const key = `${kind}\n${extra?.join('\n') ?? ''}`;
  let patterns = compiled.get(key);
  if (!patterns) {
    const own = (extra ?? []).map((word) => flatten(word)).filter((word) => word.length > 0).map(escapeRegExp);
    const builtIn = { optOut: STOP_WORDS, help: 'help|info|ayuda|aide', confirm: 'yes|y|si|oui' }[kind] ?? '';
    patterns = build([builtIn, ...own].join('|')).map((source) => new RegExp(source));
    compiled.set(key, patterns);
  }
  return patterns;
}

export function hasOptOutInstruction(text: string, program: ProgramRules): boolean {
  const patterns = patternsFor('optOut', program.keywords.stop, (words) => [
    `\\b${VERB}${WITH} (?:${words})\\b`,
    `\\b(?:${words}) (?:to|para|pour|al|au) ${STOP_PURPOSE}`,
    '\\bstop (?:au|al) \\d+',
  ]);
  return patterns.some((pattern) => pattern.test(text));
}

export function hasHelpInstruction(text: string, program: ProgramRules): boolean {
  const patterns = patternsFor('help', program.keywords.help, (words) => [`\\b${VERB}${WITH} (?:${words})\\b`, `\\b(?:${words}) (?:for|para|pour)\\b`]);
  return patterns.some((pattern) => pattern.test(text));
}

export function hasConfirmInstruction(text: string, program: ProgramRules): boolean {
  const patterns = patternsFor('confirm', program.keywords.confirm, (words) => [`\\b${VERB}${WITH} (?:${words})\\b`]);
  return patterns.some((pattern) => pattern.test(text));
}

const RATES: readonly RegExp[] = [
  /\b(?:msg|msgs|message|messages)(?: and)? data rates may apply\b/,
  /\b(?:pueden aplicarse|se pueden aplicar|pueden aplicar|aplican) (?:las )?tarifas de (?:mensajes|mensaje|msj) y datos\b/,
  /\bmsj y datos pueden tener costo\b/,
  /\bfrais de (?:messagerie|sms|messages?) et de donnees peuvent s'appliquer\b/,
  /\bdes frais (?:d'envoi )?peuvent s'appliquer\b/,
];

export function hasRatesNotice(text: string): boolean {
  return RATES.some((pattern) => pattern.test(text));
}

/** The phrase to suggest when the rates notice is missing. */
export const RATES_NOTICE: Record<Language, string> = {
  en: 'Msg & data rates may apply.',
  es: 'Pueden aplicarse tarifas de mensajes y datos.',
  fr: "Des frais de messagerie et de données peuvent s'appliquer.",
};

const FREQUENCY: readonly RegExp[] = [
  /\b\d+ (?:msg|msgs|message|messages|mensaje|mensajes|msj|msjs|text|texts|texto|textos|sms)\b/,
  /\b(?:msg|message) frequency varies\b/,
  /\bfrecuencia\b.*\bvariable\b/,
  /\bfrequence\b.*\bvariable\b/,
  /\brecurring (?:msgs|messages|texts)\b/,
];

/** Program phrases (brand, description, frequency) are folded once each. */
const folded = new Map<string, string>();

function flattenPhrase(phrase: string): string {
  let result = folded.get(phrase);
  if (result === undefined) {
    result = flatten(phrase);
    if (folded.size >= 10_000) {
      folded.clear();
    }
    folded.set(phrase, result);
  }
  return result;
}

export function hasFrequency(text: string, program: ProgramRules): boolean {
  const own = flattenPhrase(program.frequencyText);
  return (own.length > 0 && text.includes(own)) || FREQUENCY.some((pattern) => pattern.test(text));
}

export function mentions(text: string, phrase: string): boolean {
  const wanted = flattenPhrase(phrase);
  return wanted.length > 0 && ` ${text} `.includes(` ${wanted} `);
}

export function hasBrandOrProgram(text: string, program: ProgramRules): boolean {
  return mentions(text, program.brandName) || mentions(text, program.programName);
}

/** Raw-text check for URLs and contacts, which folding would break apart. */
export function containsLiteral(body: string, literal: string): boolean {
  return literal.trim().length > 0 && fold(body).includes(fold(literal.trim()));
}

const OPTED_OUT: readonly RegExp[] = [
  /\b(?:unsubscribed|opted out|no (?:more|further) (?:messages|texts|msgs)|will not (?:get|receive)|won't (?:get|receive))\b/,
  /\b(?:te diste de baja|dado de baja|no te enviaremos|no recibiras)\b/,
  /\b(?:desabonne|desinscrit|ne recevrez plus|n'enverrons plus)\b/,
];

export function confirmsOptOut(text: string): boolean {
  return OPTED_OUT.some((pattern) => pattern.test(text));
}

const PROMOTIONAL = new RegExp(`(?:^| )(?:${PROMOTIONAL_WORDS.map((word) => escapeRegExp(flatten(word))).join('|')})(?= |$)`);

/** Promotional wording outside the program's own name, description and frequency, which are required anyway. */
export function promotionalWording(body: string, program: ProgramRules): string | null {
  let text = body.replace(/\bhttps?:\/\/\S+/gi, ' ');
  if (/\d\s?%|[$€£]\s?\d/.test(text)) {
    return 'a price or percentage';
  }
  text = flatten(text);
  for (const own of [program.description, program.frequencyText, program.programName, program.brandName]) {
    const phrase = flattenPhrase(own);
    text = phrase ? text.split(phrase).join(' ') : text;
  }
  return PROMOTIONAL.exec(` ${text.replace(/ +/g, ' ').trim()} `)?.[0].trim() ?? null;
}
