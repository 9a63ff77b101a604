// Detectors for the elements a message must (or must not) carry. They run on folded text: lower
// case, no accents, punctuation as spaces ("Msg & data rates may apply." → "msg data rates may apply").
import { PROMOTIONAL_WORDS } from './content-lists.js';
import { flatten, fold } from './text.js';
import type { Language, ProgramRules } from './types.js';

const VERB = "(?:reply|text|txt|send|respond|responde|responda|contesta|envia|manda|escribe|repondez|repondre|envoyez|envoyer|tapez)";
const WITH = '(?: with| con| par| avec)?';
const STOP_WORDS = 'stop|stopall|end|cancel|unsubscribe|quit|optout|opt out|alto|baja|arret|arrete|td';
const STOP_PURPOSE =
  "(?:opt out|optout|unsubscribe|cancel|end|stop|quit|cancelar|darte de baja|dejar de recibir|salir|vous desabonner|se desabonner|vous desinscrire|arreter|ne plus recevoir)";

const compiled = new Map<string, RegExp>();

/** Patterns embed a program's own keywords; compile each distinct one once. */
function pattern(source: string): RegExp {
  let regExp = compiled.get(source);
  if (!regExp) {
    regExp = new RegExp(source);
    compiled.set(source, regExp);
  }
  return regExp;
}

function keywordAlternation(builtIn: string, extra: string[] | undefined): string {
  const own = (extra ?? []).map((word) => flatten(word)).filter((word) => word.length > 0).map(escapeRegExp);
  return [builtIn, ...own].join('|');
}

export function hasOptOutInstruction(text: string, program: ProgramRules): boolean {
  const words = keywordAlternation(STOP_WORDS, program.keywords.stop);
  return (
    pattern(`\\b${VERB}${WITH} (?:${words})\\b`).test(text) ||
    pattern(`\\b(?:${words}) (?:to|para|pour|al|au) ${STOP_PURPOSE}`).test(text) ||
    /\bstop (?:au|al) \d+/.test(text)
  );
}

export function hasHelpInstruction(text: string, program: ProgramRules): boolean {
  const words = keywordAlternation('help|info|ayuda|aide', program.keywords.help);
  return pattern(`\\b${VERB}${WITH} (?:${words})\\b`).test(text) || pattern(`\\b(?:${words}) (?:for|para|pour)\\b`).test(text);
}

export function hasConfirmInstruction(text: string, program: ProgramRules): boolean {
  const words = keywordAlternation('yes|y|si|oui', program.keywords.confirm);
  return pattern(`\\b${VERB}${WITH} (?:${words})\\b`).test(text);
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

export function hasFrequency(text: string, program: ProgramRules): boolean {
  const own = flatten(program.frequencyText);
  return (own.length > 0 && text.includes(own)) || FREQUENCY.some((pattern) => pattern.test(text));
}

export function mentions(text: string, phrase: string): boolean {
  const wanted = flatten(phrase);
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
    const folded = flatten(own);
    text = folded ? text.split(folded).join(' ') : text;
  }
  return PROMOTIONAL.exec(` ${text.replace(/ +/g, ' ').trim()} `)?.[0].trim() ?? null;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
