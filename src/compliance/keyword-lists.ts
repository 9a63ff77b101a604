import type { KeywordKind, Language } from './types.js';

/** How far a reply may stray from a keyword and still count as it. */
export type Tolerance = 'none' | 'transpose' | 'edit';

export interface KeywordEntry {
  /** Folded form, words separated by one space. */
  word: string;
  kind: Exclude<KeywordKind, 'other'>;
  language: Language | null;
  tolerance: Tolerance;
}

function entries(
  kind: KeywordEntry['kind'],
  language: Language | null,
  tolerance: Tolerance,
  list: string[],
): KeywordEntry[] {
  return list.map((word) => ({ word, kind, language, tolerance }));
}

/**
 * Built-in keywords. Opt-out words: 47 CFR 64.1200(a)(10) per-se list (stop, quit, end, revoke,
 * opt out, cancel, unsubscribe), CTIA/Twilio defaults (STOPALL, OPTOUT, REMOVE), Spanish and French
 * equivalents ("No Mas" is the FCC's own example), and the Chinese/German/Portuguese words carriers
 * honour (TD, 退订, ABMELDEN, SAIR). Short words that are also common words stay exact-only.
 */
export const BUILT_IN_KEYWORDS: readonly KeywordEntry[] = [
  ...entries('stop', 'en', 'transpose', ['stop', 'quit']),
  ...entries('stop', 'en', 'edit', ['stopall', 'cancel', 'unsubscribe', 'revoke', 'optout']),
  ...entries('stop', 'en', 'none', ['end', 'opt out', 'remove', 'no more']),
  ...entries('stop', 'es', 'none', ['alto', 'parar', 'para', 'baja', 'no mas']),
  ...entries('stop', 'es', 'edit', ['cancelar']),
  ...entries('stop', 'fr', 'edit', ['arret', 'arrete', 'arreter', 'desabonner', 'desinscrire', 'desabonnement']),
  ...entries('stop', null, 'none', ['td', '退订', 'abmelden', 'sair']),
  ...entries('help', 'en', 'transpose', ['help']),
  ...entries('help', 'en', 'none', ['info']),
  ...entries('help', 'es', 'edit', ['ayuda']),
  ...entries('help', 'fr', 'none', ['aide']),
  ...entries('start', 'en', 'none', ['start', 'unstop']),
  ...entries('start', 'es', 'none', ['comenzar']),
  ...entries('confirm', 'en', 'none', ['yes', 'y']),
  ...entries('confirm', 'es', 'none', ['si']),
  ...entries('confirm', 'fr', 'none', ['oui']),
];

/** Real words one typo away from a keyword; never read them as the keyword. */
export const NOT_MISSPELLINGS: ReadonlySet<string> = new Set([
  'stoop', 'stoops', 'step', 'steps', 'atop', 'shop', 'stomp', 'spot', 'stow',
  'quite', 'quiet', 'suit', 'quilt', 'quiz',
  'cancer', 'arrest', 'arrets', 'subscribe', 'subscribed', 'resubscribe', 'evoke',
  'held', 'hell', 'helm', 'heap', 'hemp', 'helo', 'hello',
  'ayudo', 'ayude',
]);

/** Words in a keyword sentence that do not change its meaning ("stop please", "help me"). */
const POLITE = [
  'please', 'pls', 'plz', 'plse', 'now', 'thanks', 'thank', 'you', 'thx', 'ty', 'asap', 'immediately',
  'por', 'favor', 'gracias', 'ya', 'ahora', 'svp', "s'il", 'vous', 'plait', 'merci', 'maintenant',
];

export const FILLER: Record<KeywordEntry['kind'], ReadonlySet<string>> = {
  stop: new Set([...POLITE, 'it', 'all', 'me', 'everything', 'todo', 'tout', 'now']),
  help: new Set([...POLITE, 'me', 'i', 'need', 'moi', 'necesito', "j'ai", 'besoin', 'de']),
  start: new Set([...POLITE, 'again', 'me', 'up', 'de', 'nuevo']),
  confirm: new Set([
    ...POLITE, 'i', 'do', 'sure', 'ok', 'okay', 'confirm', 'absolutely', 'want', 'to', 'join', 'sign',
    'me', 'up', 'in', 'claro', 'quiero', 'bien', 'sur', "d'accord", 'je', 'veux',
  ]),
};

/** Function words that also happen to be keywords; inside a sentence they mean nothing. */
export const COMMON_WORDS_NOT_AMBIGUOUS: ReadonlySet<string> = new Set(['y', 'si', 'para', 'sair']);

/** A bare refusal: not a keyword, but worth a human look. */
export const REFUSALS: ReadonlySet<string> = new Set(['no', 'non', 'nope', 'nah']);

interface PhrasePattern {
  language: Language;
  pattern: RegExp;
}

const NEGATION = "(?:don't|dont|do not|not|never|can't|cant|cannot|won't|wont|didn't|didnt|no puedo|ne)";

/** Text shapes where a negation right before the match flips its meaning ("can't stop laughing"). */
export const NEGATED_BEFORE = new RegExp(`\\b${NEGATION}(?: \\S+){0,2} $`);

/**
 * Plain-language revocations. 47 CFR 64.1200(a)(10): any reasonable means counts, including
 * multi-word phrases and other languages. Patterns run on folded text (no accents, lower case).
 */
export const STOP_PHRASES: readonly PhrasePattern[] = [
  {
    language: 'en',
    pattern:
      /\b(?:stop|quit|cease)(?: \S+){0,3} (?:text|texts|texting|txt|txts|txting|messaging|messages|message|msg|msgs|sms|sending|contacting|calling|spamming|spam|these|this)\b/,
  },
  { language: 'en', pattern: /\bend (?:the |these |all |my )?(?:texts|messages|msgs|sms)\b/ },
  { language: 'en', pattern: /\b(?:remove|delete|erase)(?: \S+){0,1} (?:me|my number|my phone|this number)\b/ },
  { language: 'en', pattern: /\b(?:take|get|leave) me (?:off|out)\b/ },
  { language: 'en', pattern: /\bno more (?:texts?|messages?|msgs?|sms|txts?|spam)\b/ },
  { language: 'en', pattern: /\b(?:don't|dont|do not|never)(?: (?!stop\b)\S+){0,2} (?:text|txt|message|msg|sms|contact|call|send)\b/ },
  { language: 'en', pattern: /\bleave me alone\b/ },
  { language: 'en', pattern: /\b(?:unsubscribe|unsub|opt me out|opt out|optout)\b/ },
  { language: 'en', pattern: /\b(?:want|wanna|need|like) to (?:stop|unsubscribe|opt out|cancel|quit|end)\b/ },
  { language: 'en', pattern: /\b(?:cancel|end|stop)(?: \S+){0,2} subscription\b/ },
  { language: 'en', pattern: /\bi want (?:out|off)\b/ },
  { language: 'en', pattern: /\bwrong number\b/ },
  { language: 'en', pattern: /^(?:i'm |im |i am |we're |we are )?not interested\b/ },
  { language: 'es', pattern: /\bno (?:me )?(?:envien|envies|manden|mandes|escriban|escribas|contacten|contactes|molesten|molestes)\b/ },
  { language: 'es', pattern: /\b(?:deja|dejen|dejar|dejes) de (?:enviar|mandar|escribir|molestar|contactar)/ },
  { language: 'es', pattern: /\bno quiero(?: (?:recibir|mas|ningun|ningunos|estos))* (?:mensajes|textos|sms|mas)\b/ },
  { language: 'es', pattern: /\b(?:quitame|quitenme|quiteme|sacame|saquenme|borrame|borrenme|eliminame|eliminenme|elimineme)\b/ },
  { language: 'es', pattern: /\b(?:dar|darme|dame|denme|darse|doy) de baja\b/ },
  { language: 'es', pattern: /\bno mas (?:mensajes|textos|sms)\b/ },
  { language: 'es', pattern: /\bya no(?: \S+){0,2} (?:quiero|envien|manden|mensajes)\b/ },
  { language: 'es', pattern: /\bnumero equivocado\b/ },
  {
    language: 'fr',
    pattern: /\b(?:arretez|arrete|arreter|cessez|stoppez)(?: \S+){0,3} (?:sms|messages?|textos?|envoyer|m'envoyer|ecrire|m'ecrire|contacter)\b/,
  },
  { language: 'fr', pattern: /\bne (?:m'|me )?(?:envoyez|envoie|envoyer|ecrivez|ecris|ecrire|contactez) plus\b/ },
  { language: 'fr', pattern: /\bn'envoyez plus\b/ },
  { language: 'fr', pattern: /\bje ne veux plus\b/ },
  { language: 'fr', pattern: /\b(?:retirez|supprimez|effacez|enlevez|desabonnez|desinscrivez) moi\b/ },
  { language: 'fr', pattern: /\bme (?:desabonner|desinscrire)\b/ },
  { language: 'fr', pattern: /\b(?:laissez moi tranquille|foutez moi la paix)\b/ },
  { language: 'fr', pattern: /\bplus de (?:sms|messages|textos)\b/ },
  { language: 'fr', pattern: /\bmauvais numero\b/ },
];
