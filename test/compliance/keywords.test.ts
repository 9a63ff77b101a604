import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyInbound, type KeywordMatch, type ProgramKeywords } from '../../src/compliance/index.js';

type Row = [body: string, kind: KeywordMatch['kind'], language: KeywordMatch['language'], matched: string | null, via: KeywordMatch['via'], ambiguous: boolean];

const PROGRAM: ProgramKeywords = { join: ['JOIN', 'Deals'], stop: ['QUITAR'], help: ['SOS'], confirm: ['CONFIRMO'] };

const EXACT: Row[] = [
  ['STOP', 'stop', 'en', 'STOP', 'exact', false],
  ['stop', 'stop', 'en', 'STOP', 'exact', false],
  ['  Stop.  ', 'stop', 'en', 'STOP', 'exact', false],
  ['STOP!!!', 'stop', 'en', 'STOP', 'exact', false],
  ['stop 🛑', 'stop', 'en', 'STOP', 'exact', false],
  ['ＳＴＯＰ', 'stop', 'en', 'STOP', 'exact', false],
  ['Stôp', 'stop', 'en', 'STOP', 'exact', false],
  ['S T O P', 'stop', 'en', 'STOP', 'exact', false],
  ['"stop"', 'stop', 'en', 'STOP', 'exact', false],
  ['stop stop stop', 'stop', 'en', 'STOP', 'exact', false],
  ['STOPALL', 'stop', 'en', 'STOPALL', 'exact', false],
  ['stop all', 'stop', 'en', 'STOPALL', 'exact', false],
  ['END', 'stop', 'en', 'END', 'exact', false],
  ['Cancel', 'stop', 'en', 'CANCEL', 'exact', false],
  ['UNSUBSCRIBE', 'stop', 'en', 'UNSUBSCRIBE', 'exact', false],
  ['quit', 'stop', 'en', 'QUIT', 'exact', false],
  ['Revoke', 'stop', 'en', 'REVOKE', 'exact', false],
  ['OPTOUT', 'stop', 'en', 'OPTOUT', 'exact', false],
  ['opt out', 'stop', 'en', 'OPT OUT', 'exact', false],
  ['OPT-OUT', 'stop', 'en', 'OPT OUT', 'exact', false],
  ['remove', 'stop', 'en', 'REMOVE', 'exact', false],
  ['ALTO', 'stop', 'es', 'ALTO', 'exact', false],
  ['parar', 'stop', 'es', 'PARAR', 'exact', false],
  ['Para', 'stop', 'es', 'PARA', 'exact', false],
  ['BAJA', 'stop', 'es', 'BAJA', 'exact', false],
  ['cancelar', 'stop', 'es', 'CANCELAR', 'exact', false],
  ['NO MÁS', 'stop', 'es', 'NO MAS', 'exact', false],
  ['no mas', 'stop', 'es', 'NO MAS', 'exact', false],
  ['ARRÊT', 'stop', 'fr', 'ARRET', 'exact', false],
  ['arret', 'stop', 'fr', 'ARRET', 'exact', false],
  ['Désabonner', 'stop', 'fr', 'DESABONNER', 'exact', false],
  ['TD', 'stop', null, 'TD', 'exact', false],
  ['退订', 'stop', null, '退订', 'exact', false],
  ['HELP', 'help', 'en', 'HELP', 'exact', false],
  ['help?', 'help', 'en', 'HELP', 'exact', false],
  ['Info', 'help', 'en', 'INFO', 'exact', false],
  ['AYUDA', 'help', 'es', 'AYUDA', 'exact', false],
  ['aide', 'help', 'fr', 'AIDE', 'exact', false],
  ['START', 'start', 'en', 'START', 'exact', false],
  ['unstop', 'start', 'en', 'UNSTOP', 'exact', false],
  ['comenzar', 'start', 'es', 'COMENZAR', 'exact', false],
  ['YES', 'confirm', 'en', 'YES', 'exact', false],
  ['yes!', 'confirm', 'en', 'YES', 'exact', false],
  ['Y', 'confirm', 'en', 'Y', 'exact', false],
  ['Yes 👍', 'confirm', 'en', 'YES', 'exact', false],
  ['Sí', 'confirm', 'es', 'SI', 'exact', false],
  ['OUI', 'confirm', 'fr', 'OUI', 'exact', false],
];

const PROGRAM_WORDS: Row[] = [
  ['JOIN', 'start', null, 'JOIN', 'program', false],
  ['deals', 'start', null, 'DEALS', 'program', false],
  ['quitar', 'stop', null, 'QUITAR', 'program', false],
  ['SOS', 'help', null, 'SOS', 'program', false],
  ['confirmo', 'confirm', null, 'CONFIRMO', 'program', false],
  ['join please', 'start', null, 'JOIN', 'program', false],
];

const MISSPELLINGS: Row[] = [
  ['STPO', 'stop', 'en', 'STOP', 'misspelling', false],
  ['SOTP', 'stop', 'en', 'STOP', 'misspelling', false],
  ['tsop', 'stop', 'en', 'STOP', 'misspelling', false],
  ['STOPP', 'stop', 'en', 'STOP', 'misspelling', false],
  ['stooooop', 'stop', 'en', 'STOP', 'misspelling', false],
  ['unsubscibe', 'stop', 'en', 'UNSUBSCRIBE', 'misspelling', false],
  ['unsuscribe', 'stop', 'en', 'UNSUBSCRIBE', 'misspelling', false],
  ['UNSUBSRCIBE', 'stop', 'en', 'UNSUBSCRIBE', 'misspelling', false],
  ['unsubscribed', 'stop', 'en', 'UNSUBSCRIBE', 'misspelling', false],
  ['cancle', 'stop', 'en', 'CANCEL', 'misspelling', false],
  ['qiut', 'stop', 'en', 'QUIT', 'misspelling', false],
  ['stop pls', 'stop', 'en', 'STOP', 'phrase', false],
  ['stpo please', 'stop', 'en', 'STOP', 'misspelling', false],
  ['desabonne', 'stop', 'fr', 'DESABONNER', 'misspelling', false],
  ['hlep', 'help', 'en', 'HELP', 'misspelling', false],
  ['helpp', 'help', 'en', 'HELP', 'misspelling', false],
];

const NOT_KEYWORDS: Row[] = [
  ['stone', 'other', null, null, 'none', false],
  ['step', 'other', null, null, 'none', false],
  ['top', 'other', null, null, 'none', false],
  ['stoop', 'other', null, null, 'none', false],
  ['spot', 'other', null, null, 'none', false],
  ['quite', 'other', null, null, 'none', false],
  ['quiet', 'other', null, null, 'none', false],
  ['cancer', 'other', null, null, 'none', false],
  ['subscribe', 'other', null, null, 'none', false],
  ['held', 'other', null, null, 'none', false],
  ['hello', 'other', null, null, 'none', false],
  ['', 'other', null, null, 'none', false],
  ['   ', 'other', null, null, 'none', false],
  ['🙂👍', 'other', null, null, 'none', false],
  ['?!', 'other', null, null, 'none', false],
  ['drop me a line sometime', 'other', null, null, 'none', false],
  ['see you at the store', 'other', null, null, 'none', false],
];

const PHRASES: Row[] = [
  ['please stop texting me', 'stop', 'en', 'stop texting', 'phrase', false],
  ['Stop sending me these messages!', 'stop', 'en', 'stop sending me these messages', 'phrase', false],
  ['remove me from this list', 'stop', 'en', 'remove me', 'phrase', false],
  ['Please remove my number', 'stop', 'en', 'remove my number', 'phrase', false],
  ['no more texts', 'stop', 'en', 'no more texts', 'phrase', false],
  ['No more', 'stop', 'en', 'NO MORE', 'exact', false],
  ["don't text me", 'stop', 'en', "don't text", 'phrase', false],
  ['Do not contact me again', 'stop', 'en', 'do not contact', 'phrase', false],
  ['never text me again', 'stop', 'en', 'never text', 'phrase', false],
  ['leave me alone', 'stop', 'en', 'leave me alone', 'phrase', false],
  ['take me off', 'stop', 'en', 'take me off', 'phrase', false],
  ['take me off your list please', 'stop', 'en', 'take me off', 'phrase', false],
  ['how do I unsubscribe?', 'stop', 'en', 'unsubscribe', 'phrase', false],
  ['I want to stop', 'stop', 'en', 'want to stop', 'phrase', false],
  ['cancel my subscription', 'stop', 'en', 'cancel my subscription', 'phrase', false],
  ['wrong number', 'stop', 'en', 'wrong number', 'phrase', false],
  ["I'm not interested", 'stop', 'en', "i'm not interested", 'phrase', false],
  ['stop it now please', 'stop', 'en', 'STOP', 'phrase', false],
  ['STOP 2', 'stop', 'en', 'STOP', 'phrase', false],
  ['yes stop texting me', 'stop', 'en', 'stop texting', 'phrase', false],
  ['no me envien mas mensajes', 'stop', 'es', 'no me envien', 'phrase', false],
  ['Dejen de enviarme mensajes', 'stop', 'es', 'dejen de enviar', 'phrase', false],
  ['quítame de la lista', 'stop', 'es', 'quitame', 'phrase', false],
  ['quiero darme de baja', 'stop', 'es', 'darme de baja', 'phrase', false],
  ['no quiero recibir más mensajes', 'stop', 'es', 'no quiero recibir mas mensajes', 'phrase', false],
  ['No más mensajes por favor', 'stop', 'es', 'no mas mensajes', 'phrase', false],
  ['ALTO por favor', 'stop', 'es', 'ALTO', 'phrase', false],
  ["ne m'envoyez plus de messages", 'stop', 'fr', "ne m'envoyez plus", 'phrase', false],
  ['Arrêtez de m’envoyer des SMS', 'stop', 'fr', "arretez de m'envoyer des sms", 'phrase', false],
  ['désabonnez-moi', 'stop', 'fr', 'desabonnez moi', 'phrase', false],
  ['je ne veux plus recevoir vos sms', 'stop', 'fr', 'je ne veux plus', 'phrase', false],
  ['laissez-moi tranquille', 'stop', 'fr', 'laissez moi tranquille', 'phrase', false],
  ['STOP merci', 'stop', 'en', 'STOP', 'phrase', false],
  ['i need help', 'help', 'en', 'HELP', 'phrase', false],
  ['help me', 'help', 'en', 'HELP', 'phrase', false],
  ['yes please', 'confirm', 'en', 'YES', 'phrase', false],
  ['Yes, I want to join', 'confirm', 'en', 'YES', 'phrase', false],
  ['oui merci', 'confirm', 'fr', 'OUI', 'phrase', false],
  ['si, claro', 'confirm', 'es', 'SI', 'phrase', false],
  ['start again', 'start', 'en', 'START', 'phrase', false],
];

const AMBIGUOUS: Row[] = [
  ["I can't stop laughing", 'other', 'en', 'STOP', 'none', true],
  ["don't stop texting me, I love these", 'other', 'en', 'STOP', 'none', true],
  ['when does the sale end?', 'other', 'en', 'END', 'none', true],
  ['the end', 'other', 'en', 'END', 'none', true],
  ['cancel my order', 'other', 'en', 'CANCEL', 'none', true],
  ['can you help me with my order', 'other', 'en', 'HELP', 'none', true],
  ['yes stop', 'other', 'en', 'STOP', 'none', true],
  ['more info on the boots?', 'other', 'en', 'INFO', 'none', true],
  ['where do I start', 'other', 'en', 'START', 'none', true],
  ["I don't want to unsubscribe", 'other', 'en', 'UNSUBSCRIBE', 'none', true],
  ['no', 'other', null, 'NO', 'none', true],
  ['no thanks', 'other', null, 'NO', 'none', true],
  ['Nope', 'other', null, 'NO', 'none', true],
];

describe('classifyInbound', () => {
  const cases = [...EXACT, ...PROGRAM_WORDS, ...MISSPELLINGS, ...NOT_KEYWORDS, ...PHRASES, ...AMBIGUOUS];

  it.each(cases)('%j → %s (%s, %s, via %s, ambiguous %s)', (body, kind, language, matched, via, ambiguous) => {
    expect(classifyInbound(body, PROGRAM)).toEqual({ kind, language, matched, via, ambiguous });
  });

  it('without program keywords, a program word is just text', () => {
    expect(classifyInbound('JOIN')).toEqual({ kind: 'other', language: null, matched: null, via: 'none', ambiguous: false });
  });

  it('reads the inbound bodies of the shared Twilio fixture: JOIN, Yes, help, STOP, a plain-language revocation, an empty MMS', () => {
    const lines = readFileSync('/work/shared/data/twilio-inbound.jsonl', 'utf8').trim().split('\n');
    const bodies = lines
      .map((line) => JSON.parse(line) as { kind: string; form: Record<string, string> })
      .filter((entry) => entry.kind === 'inbound')
      .map((entry) => entry.form.Body ?? '');
    expect(bodies.map((body) => classifyInbound(body, { join: ['JOIN'] }).kind)).toEqual(['start', 'confirm', 'help', 'stop', 'stop', 'other']);
  });
});
