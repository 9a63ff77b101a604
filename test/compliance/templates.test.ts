import { describe, expect, it } from 'vitest';
import {
  TemplateVariableError,
  appendOptOutReminder,
  lintMessage,
  renderBody,
  renderTemplate,
  templateMessageKind,
  type Language,
  type TemplateKind,
} from '../../src/compliance/index.js';
import { SAMPLE_PROGRAMS, buildProgram } from './fixtures.js';

const KINDS: TemplateKind[] = [
  'confirmation_request', 'welcome', 'help', 'stop_confirmation', 'reminder', 'reconsent', 'policy_notice', 'clarification',
  'confirmation_expired_notice',
];
const LANGUAGES: Language[] = ['en', 'es', 'fr'];
/** Destinations the templates must pass; China forbids links, which the welcome must carry (see below). */
const COUNTRIES = ['US', 'CA', 'GB', 'AU', 'DE', 'FR', 'MX', 'BR'];

describe('renderTemplate passes lintMessage by construction', () => {
  const cases = SAMPLE_PROGRAMS.flatMap((program) =>
    LANGUAGES.flatMap((language) => KINDS.map((kind): [string, TemplateKind, Language, typeof program] => [program.programName, kind, language, program])),
  );

  it.each(cases)('%s: %s (%s)', (_name, kind, language, program) => {
    const body = renderTemplate(kind, language, program);
    for (const country of COUNTRIES) {
      const result = lintMessage(body, { kind: templateMessageKind(kind), program, country, language });
      expect({ country, errors: result.errors, warnings: result.warnings, encoding: result.encoding }).toEqual({
        country,
        errors: [],
        warnings: [],
        encoding: 'GSM-7',
      });
    }
  });

  it('with a changed policy, the notice and the re-consent request still pass', () => {
    const program = buildProgram();
    for (const language of LANGUAGES) {
      for (const kind of ['policy_notice', 'reconsent'] as const) {
        const body = renderTemplate(kind, language, program, { policyKind: 'privacy', policyUrl: 'https://acme.example/privacy-v3' });
        expect(body).toContain('https://acme.example/privacy-v3');
        expect(lintMessage(body, { kind, program, country: 'US', language }).errors).toEqual([]);
      }
    }
  });

  it('a program that serves China cannot send the welcome: the links it must carry are banned there', () => {
    const program = buildProgram();
    const body = renderTemplate('welcome', 'en', program);
    expect(lintMessage(body, { kind: 'welcome', program, country: 'CN', language: 'en' }).errors.map((issue) => issue.code)).toEqual(['cn_url_not_allowed']);
  });
});

describe('renderTemplate wording', () => {
  const program = buildProgram();
  const rows: [kind: TemplateKind, language: Language, expected: string][] = [
    [
      'welcome',
      'en',
      "Acme Outfitters: You're subscribed to Acme Deals: weekly offers on outdoor gear. Up to 4 msgs/month. Msg & data rates may apply. Reply HELP for help, STOP to cancel. Terms: https://acme.example/terms Privacy: https://acme.example/privacy",
    ],
    [
      'confirmation_request',
      'es',
      'Acme Outfitters: Responde SI para recibir mensajes de Acme Deals: weekly offers on outdoor gear. Hasta 4 mensajes al mes. Pueden aplicarse tarifas de mensajes y datos. Responde AYUDA para ayuda o STOP para cancelar.',
    ],
    [
      'help',
      'fr',
      "Acme Outfitters Acme Deals : aide sur help@acme.example. Jusqu'à 4 SMS par mois. Des frais de messagerie et de données peuvent s'appliquer. Répondez STOP pour vous désabonner.",
    ],
    ['stop_confirmation', 'en', "Acme Outfitters: You're unsubscribed from Acme Deals and will get no more messages. Reply START to rejoin."],
    [
      'confirmation_expired_notice',
      'en',
      "Acme Outfitters: Your request to join Acme Deals has expired because we didn't get your YES. To sign up, text JOIN. Reply STOP to opt out.",
    ],
    ['policy_notice', 'en', "Acme Outfitters: We've updated the terms for Acme Deals: https://acme.example/terms Reply HELP for help, STOP to cancel."],
  ];

  it.each(rows)('%s (%s)', (kind, language, expected) => {
    expect(renderTemplate(kind, language, program)).toBe(expected);
  });

  it.each([
    ['Msg frequency varies', 'es', 'Frecuencia de mensajes variable'],
    ['2 msgs/week', 'es', '2 mensajes por semana'],
    ['Up to 1 msg per day', 'fr', "Jusqu'à 1 SMS par jour"],
    ['Up to 4 msgs/mo', 'fr', "Jusqu'à 4 SMS par mois"],
    ['About 3 texts a month, sometimes more', 'es', 'About 3 texts a month, sometimes more'],
  ] as [string, Language, string][])('frequency "%s" in %s reads "%s"', (frequencyText, language, expected) => {
    expect(renderTemplate('reminder', language, buildProgram({ frequencyText }))).toContain(expected);
  });

  it('does not repeat a brand already in the program name', () => {
    const own = buildProgram({ brandName: 'Acme', programName: 'Acme Deals' });
    expect(renderTemplate('help', 'en', own).startsWith('Acme Deals: get help')).toBe(true);
  });
});

describe('renderBody', () => {
  const rows: [template: string, vars: Record<string, string>, expected: string][] = [
    ['{{brand}}: hi {{name}}', { brand: 'Acme', name: 'Ana' }, 'Acme: hi Ana'],
    ['{{ brand }}: hi {{name }}', { brand: 'Acme', name: 'Ana' }, 'Acme: hi Ana'],
    ['{{name}} and {{name}}', { name: 'Ana' }, 'Ana and Ana'],
    ['no variables', {}, 'no variables'],
    ['', {}, ''],
    ['{single} braces stay', {}, '{single} braces stay'],
    ['{{code}}', { code: '{{not_a_variable}}' }, '{{not_a_variable}}'],
    ['{{brand}}', { brand: '' }, ''],
  ];

  it.each(rows)('%j with %j → %j', (template, vars, expected) => {
    expect(renderBody(template, vars)).toBe(expected);
  });

  it.each([
    ['Hi {{first_name}}', { brand: 'Acme' }, 'first_name'],
    ['{{constructor}}', {}, 'constructor'],
    ['{{}}', {}, ''],
    ['Hi {{first_name', { first_name: 'Ana' }, ''],
  ] as [string, Record<string, string>, string][])('%j refuses to render (%s)', (template, vars, variable) => {
    const attempt = () => renderBody(template, vars);
    expect(attempt).toThrow(TemplateVariableError);
    try {
      attempt();
    } catch (err) {
      expect((err as TemplateVariableError).variable).toBe(variable);
    }
  });
});

describe('appendOptOutReminder', () => {
  const program = buildProgram({ keywords: { stop: ['QUITAR'] } });
  const rows: [body: string, language: Language, expected: string][] = [
    ['Acme Deals: new arrivals are in', 'en', 'Acme Deals: new arrivals are in. Reply STOP to opt out.'],
    ['Acme Deals: new arrivals are in!', 'en', 'Acme Deals: new arrivals are in! Reply STOP to opt out.'],
    ['Acme Deals: sale. Reply STOP to opt out.', 'en', 'Acme Deals: sale. Reply STOP to opt out.'],
    ['Acme Deals: ofertas nuevas.', 'es', 'Acme Deals: ofertas nuevas. Responde STOP para cancelar.'],
    ['Acme Deals: ofertas. Responde QUITAR para salir.', 'es', 'Acme Deals: ofertas. Responde QUITAR para salir.'],
    ['Acme Deals : nouveautés  ', 'fr', 'Acme Deals : nouveautés. Répondez STOP pour vous désabonner.'],
  ];

  it.each(rows)('%j (%s)', (body, language, expected) => {
    expect(appendOptOutReminder(body, language, program)).toBe(expected);
  });
});
