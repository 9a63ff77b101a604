// Program messages in English, Spanish and French. Each carries what lint.ts requires of its kind;
// Spanish and French avoid characters outside GSM-7 (á, í, ó, ú, ç, ê …) so a text stays at 160
// characters per segment instead of 70.
import { hasOptOutInstruction } from './message-elements.js';
import { flatten } from './text.js';
import type { Language, MessageKind, ProgramRules } from './types.js';

export type TemplateKind =
  | 'confirmation_request'
  | 'welcome'
  | 'help'
  | 'stop_confirmation'
  | 'reminder'
  | 'reconsent'
  | 'policy_notice'
  | 'clarification'
  | 'confirmation_expired_notice';

export interface TemplateExtra {
  policyKind?: 'terms' | 'privacy';
  policyUrl?: string;
}

export class TemplateVariableError extends Error {
  override readonly name = 'TemplateVariableError';

  constructor(readonly variable: string) {
    super(variable === '' ? 'malformed {{variable}} in template' : `unknown template variable {{${variable}}}`);
  }
}

/** The message kind a template is sent (and linted) as. */
export function templateMessageKind(kind: TemplateKind): MessageKind {
  return kind === 'confirmation_expired_notice' ? 'informational' : kind;
}

const TEXTS: Record<Language, Record<TemplateKind, string>> = {
  en: {
    confirmation_request:
      '{{brand}}: Reply YES to get {{program}} texts: {{description}}. {{frequency}}. Msg & data rates may apply. Reply HELP for help, STOP to cancel.',
    welcome:
      "{{brand}}: You're subscribed to {{program}}: {{description}}. {{frequency}}. Msg & data rates may apply. Reply HELP for help, STOP to cancel. Terms: {{terms}} Privacy: {{privacy}}",
    help: '{{label}}: get help at {{helpContact}}. {{frequency}}. Msg & data rates may apply. Reply STOP to cancel.',
    stop_confirmation: "{{brand}}: You're unsubscribed from {{program}} and will get no more messages. Reply START to rejoin.",
    reminder: "{{brand}}: Reminder: you're subscribed to {{program}}. {{frequency}}. Reply HELP for help, STOP to cancel.",
    reconsent:
      '{{brand}}: {{policyIntro}}To keep getting {{program}} texts ({{description}}), reply YES. Msg & data rates may apply. Reply STOP to cancel.',
    policy_notice: "{{brand}}: We've updated the {{policyName}} for {{program}}: {{policyUrl}} Reply HELP for help, STOP to cancel.",
    clarification: "{{brand}}: Sorry, we didn't understand your reply. To stop {{program}} texts, reply STOP. For help, reply HELP.",
    confirmation_expired_notice:
      "{{brand}}: Your request to join {{program}} has expired because we didn't get your YES. To sign up, text {{joinKeyword}}. Reply STOP to opt out.",
  },
  es: {
    confirmation_request:
      '{{brand}}: Responde SI para recibir mensajes de {{program}}: {{description}}. {{frequency}}. Pueden aplicarse tarifas de mensajes y datos. Responde AYUDA para ayuda o STOP para cancelar.',
    welcome:
      '{{brand}}: Te suscribiste a {{program}}: {{description}}. {{frequency}}. Pueden aplicarse tarifas de mensajes y datos. Responde AYUDA para ayuda o STOP para cancelar. Términos: {{terms}} Privacidad: {{privacy}}',
    help: '{{label}}: ayuda en {{helpContact}}. {{frequency}}. Pueden aplicarse tarifas de mensajes y datos. Responde STOP para cancelar.',
    stop_confirmation: '{{brand}}: Te diste de baja de {{program}}. No te enviaremos otros mensajes. Responde START para volver.',
    reminder: '{{brand}}: Recordatorio: sigues suscrito a {{program}}. {{frequency}}. Responde AYUDA para ayuda o STOP para cancelar.',
    reconsent:
      '{{brand}}: {{policyIntro}}Para seguir recibiendo mensajes de {{program}} ({{description}}), responde SI. Pueden aplicarse tarifas de mensajes y datos. Responde STOP para cancelar.',
    policy_notice: '{{brand}}: Actualizamos {{policyName}} de {{program}}: {{policyUrl}} Responde AYUDA para ayuda o STOP para cancelar.',
    clarification: '{{brand}}: No entendimos tu respuesta. Para dejar de recibir mensajes de {{program}}, responde STOP. Para ayuda, responde AYUDA.',
    confirmation_expired_notice:
      '{{brand}}: Tu solicitud para unirte a {{program}} ha vencido porque no recibimos tu SI. Para suscribirte, escribe {{joinKeyword}}. Responde STOP para cancelar.',
  },
  fr: {
    confirmation_request:
      "{{brand}} : Répondez OUI pour recevoir les SMS {{program}} : {{description}}. {{frequency}}. Des frais de messagerie et de données peuvent s'appliquer. Répondez AIDE pour de l'aide, STOP pour vous désabonner.",
    welcome:
      "{{brand}} : Inscription confirmée à {{program}} : {{description}}. {{frequency}}. Des frais de messagerie et de données peuvent s'appliquer. Répondez AIDE pour de l'aide, STOP pour vous désabonner. Conditions : {{terms}} Confidentialité : {{privacy}}",
    help: "{{label}} : aide sur {{helpContact}}. {{frequency}}. Des frais de messagerie et de données peuvent s'appliquer. Répondez STOP pour vous désabonner.",
    stop_confirmation: '{{brand}} : Désabonnement de {{program}} confirmé. Vous ne recevrez plus de messages. Répondez START pour revenir.',
    reminder: "{{brand}} : Rappel : votre inscription à {{program}} est active. {{frequency}}. Répondez AIDE pour de l'aide, STOP pour vous désabonner.",
    reconsent:
      "{{brand}} : {{policyIntro}}Pour continuer à recevoir les SMS {{program}} ({{description}}), répondez OUI. Des frais de messagerie et de données peuvent s'appliquer. Répondez STOP pour vous désabonner.",
    policy_notice: "{{brand}} : Nous avons mis à jour {{policyName}} de {{program}} : {{policyUrl}} Répondez AIDE pour de l'aide, STOP pour vous désabonner.",
    clarification: "{{brand}} : Nous n'avons pas compris votre réponse. Pour ne plus recevoir les SMS {{program}}, répondez STOP. Pour de l'aide, répondez AIDE.",
    confirmation_expired_notice:
      "{{brand}} : Votre demande d'inscription à {{program}} a expiré faute de réponse OUI. Pour vous inscrire, envoyez {{joinKeyword}}. Répondez STOP pour ne plus recevoir de SMS.",
  },
};

const POLICY_NAMES: Record<Language, Record<'terms' | 'privacy', string>> = {
  en: { terms: 'terms', privacy: 'privacy policy' },
  es: { terms: 'los términos', privacy: 'el aviso de privacidad' },
  fr: { terms: 'les conditions', privacy: 'la politique de confidentialité' },
};

const POLICY_INTRO: Record<Language, string> = {
  en: 'We updated our {{policyName}}: {{policyUrl}} ',
  es: 'Actualizamos {{policyName}}: {{policyUrl}} ',
  fr: 'Nous avons mis à jour {{policyName}} : {{policyUrl}} ',
};

export function renderTemplate(kind: TemplateKind, language: Language, program: ProgramRules, extra?: TemplateExtra): string {
  const vars = templateVars(language, program, extra);
  const intro = kind === 'reconsent' && extra?.policyUrl ? renderBody(POLICY_INTRO[language], vars) : '';
  return renderBody(TEXTS[language][kind], { ...vars, policyIntro: intro });
}

function templateVars(language: Language, program: ProgramRules, extra: TemplateExtra | undefined): Record<string, string> {
  const policyKind = extra?.policyKind ?? 'terms';
  const brand = program.brandName.trim();
  const name = program.programName.trim();
  return {
    brand,
    program: name,
    label: flatten(name).includes(flatten(brand)) ? name : `${brand} ${name}`,
    description: withoutFinalStop(program.description),
    frequency: withoutFinalStop(localizedFrequency(program.frequencyText, language)),
    helpContact: program.helpContact.trim(),
    terms: program.termsUrl.trim(),
    privacy: program.privacyUrl.trim(),
    policyName: POLICY_NAMES[language][policyKind],
    policyUrl: extra?.policyUrl ?? (policyKind === 'privacy' ? program.privacyUrl : program.termsUrl),
    joinKeyword: (program.keywords.join?.[0] ?? program.keywords.start?.[0] ?? 'START').toUpperCase(),
  };
}

const REMINDERS: Record<Language, string> = {
  en: 'Reply STOP to opt out.',
  es: 'Responde STOP para cancelar.',
  fr: 'Répondez STOP pour vous désabonner.',
};

/** Adds the opt-out line to a message that does not already say how to opt out. */
export function appendOptOutReminder(body: string, language: Language, program: ProgramRules): string {
  if (hasOptOutInstruction(flatten(body), program)) {
    return body;
  }
  const trimmed = body.trimEnd();
  const separator = trimmed === '' || /[.!?…]$/u.test(trimmed) ? ' ' : '. ';
  return `${trimmed}${trimmed === '' ? '' : separator}${REMINDERS[language]}`;
}

/** Fills {{name}} placeholders; an unknown name or an unclosed "{{" is an error, never left in the text. */
export function renderBody(template: string, vars: Record<string, string>): string {
  const rendered = template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_match, name: string) => {
    if (!Object.hasOwn(vars, name)) {
      throw new TemplateVariableError(name);
    }
    return vars[name] as string;
  });
  if (template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, '').includes('{{')) {
    throw new TemplateVariableError('');
  }
  return rendered;
}

const UNITS: Record<string, 'day' | 'week' | 'month'> = {
  day: 'day', daily: 'day', d: 'day',
  wk: 'week', week: 'week', weekly: 'week', w: 'week',
  mo: 'month', mon: 'month', month: 'month', monthly: 'month', m: 'month',
};

const FREQUENCY_WORDS: Record<Exclude<Language, 'en'>, { upTo: string; unit: string; per: Record<'day' | 'week' | 'month', string>; varies: string }> = {
  es: { upTo: 'Hasta', unit: 'mensajes', per: { day: 'diarios', week: 'por semana', month: 'al mes' }, varies: 'Frecuencia de mensajes variable' },
  fr: { upTo: "Jusqu'à", unit: 'SMS', per: { day: 'par jour', week: 'par semaine', month: 'par mois' }, varies: 'Fréquence des messages variable' },
};

/** "Up to 4 msgs/month" → "Hasta 4 mensajes al mes"; wording it cannot read stays as written. */
function localizedFrequency(text: string, language: Language): string {
  if (language === 'en') {
    return text.trim();
  }
  const words = FREQUENCY_WORDS[language];
  if (/\b(?:varies|vary|recurring)\b/i.test(text)) {
    return words.varies;
  }
  const match = /^\s*(up to|max(?:imum)?|no more than)?\s*(\d+)\s*(?:msgs?|messages?|texts?|sms)\s*(?:\/|per|a|each|every)\s*([a-z]+)\.?\s*$/i.exec(text);
  const unit = match ? UNITS[(match[3] ?? '').toLowerCase()] : undefined;
  if (!match || !unit) {
    return text.trim();
  }
  const prefix = match[1] ? `${words.upTo} ` : '';
  return `${prefix}${match[2]} ${words.unit} ${words.per[unit]}`;
}

function withoutFinalStop(text: string): string {
  return text.trim().replace(/[.\s]+$/u, '');
}
