import { fc, test } from '@fast-check/vitest';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { lintMessage, type Language, type MessageKind, type ProgramRules } from '../../src/compliance/index.js';
import { countSegments, plainGsmSegments } from '../../src/compliance/segments.js';
import { buildProgram } from './fixtures.js';

type Row = [
  label: string,
  body: string,
  kind: MessageKind,
  country: string,
  language: Language,
  program: Partial<ProgramRules>,
  errors: string[],
  warnings: string[],
];

const PROMO = 'Acme Deals: Flash sale, 20% off boots at https://acme.example/s. Reply STOP to opt out.';
const WELCOME =
  "Acme Deals: You're subscribed to Acme Deals: weekly offers on outdoor gear. Up to 4 msgs/month. Msg & data rates may apply. Reply HELP for help, STOP to cancel. Terms: https://acme.example/terms Privacy: https://acme.example/privacy";

const MARKETING: Row[] = [
  ['a compliant promotion', PROMO, 'marketing', 'US', 'en', {}, [], []],
  ['no opt-out instruction', 'Acme Deals: Flash sale, 20% off boots today.', 'marketing', 'US', 'en', {}, ['opt_out_missing'], []],
  ['opt-out as "Text STOP to cancel"', 'Acme Deals: new arrivals. Text STOP to cancel', 'marketing', 'US', 'en', {}, [], []],
  ['opt-out as "STOP to end"', 'Acme Deals: new arrivals. STOP to end', 'marketing', 'US', 'en', {}, [], []],
  ['an all-caps STOP that is not an instruction', "Acme Deals: DON'T STOP SHOPPING!", 'marketing', 'US', 'en', {}, ['opt_out_missing'], []],
  ['no brand or program name', 'Flash sale, 20% off boots. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['brand_missing'], []],
  ['the brand name alone is enough', 'Acme Outfitters: new arrivals. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['bit.ly link', 'Acme Deals: sale at https://bit.ly/3xYz. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['public_url_shortener'], []],
  ['tinyurl link without a scheme', 'Acme Deals: sale at tinyurl.com/acme1. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['public_url_shortener'], []],
  ['t.co link', 'Acme Deals: sale at https://t.co/abc. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['public_url_shortener'], []],
  ['goo.gl link', 'Acme Deals: sale at http://goo.gl/x1. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['public_url_shortener'], []],
  ['ow.ly link', 'Acme Deals: sale at ow.ly/x1. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['public_url_shortener'], []],
  ['is.gd link', 'Acme Deals: sale at https://is.gd/x1. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['public_url_shortener'], []],
  ['a branded short domain is fine', 'Acme Deals: sale at https://go.acme.example/x1. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['beer', 'Acme Deals: cold beer for the trail. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['shaft_alcohol'], []],
  ['beer behind a 21+ age gate', 'Acme Deals: cold beer for the trail. Reply STOP to opt out.', 'marketing', 'US', 'en', { minimumAge: 21 }, [], ['shaft_alcohol']],
  ['leet-spelled beer', 'Acme Deals: cold b33r for the trail. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['shaft_alcohol'], []],
  ['root beer is a soda', 'Acme Deals: free root beer at checkout. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['Spanish wine', 'Acme Deals: vino y tapas este viernes. Responde STOP para cancelar.', 'marketing', 'MX', 'es', {}, ['shaft_alcohol'], []],
  ['rifle', 'Acme Deals: hunting rifle scopes 10% off. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['shaft_firearms'], []],
  ['a glue gun is a tool', 'Acme Deals: glue gun kits 10% off. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['vapes', 'Acme Deals: new vape flavors. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['shaft_tobacco'], []],
  ['cigarettes', 'Acme Deals: cigarettes by the carton. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['shaft_tobacco'], []],
  ['cannabis stays an error behind an age gate', 'Acme Deals: CBD gummies are back. Reply STOP to opt out.', 'marketing', 'US', 'en', { minimumAge: 21 }, ['shaft_cannabis'], []],
  ['weed killer is gardening', 'Acme Deals: weed killer 2 for 1. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['profanity', 'Acme Deals: this sale is fucking huge. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['shaft_sex_hate'], []],
  ['Scunthorpe problem avoided', 'Acme Deals: free gear assessment this week. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['French "rappel" is not a slur', 'Acme Deals : rappel, soldes ce week-end. Répondez STOP pour vous désabonner.', 'marketing', 'FR', 'fr', {}, [], []],
  ['French STOP short code wording', 'Acme Deals : soldes ce week-end. STOP au 36180', 'marketing', 'FR', 'fr', {}, [], []],
  ['Spanish opt-out wording', 'Acme Deals: ofertas del fin de semana. Responde STOP para cancelar.', 'marketing', 'MX', 'es', {}, [], []],
  ['a program opt-out word', 'Acme Deals: ofertas. Responde QUITAR para salir.', 'marketing', 'MX', 'es', { keywords: { stop: ['QUITAR'] } }, [], []],
  ['politics to Mexico', 'Acme Deals: vote in the election, then shop. Reply STOP to opt out.', 'marketing', 'MX', 'en', {}, [], ['political_religious_content']],
  ['religion to Brazil', 'Acme Deals: promoção da igreja. Reply STOP to opt out.', 'marketing', 'BR', 'en', {}, [], ['political_religious_content', 'ucs2_encoding']],
  ['politics to the US is not screened', 'Acme Deals: vote in the election, then shop. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], []],
  ['politics to China is banned', 'Acme Deals: vote in the election. Reply STOP to opt out. 退订回T', 'marketing', 'CN', 'en', {}, ['cn_prohibited_content'], ['ucs2_encoding']],
  ['a link to China', PROMO, 'marketing', 'CN', 'en', {}, ['cn_url_not_allowed'], ['cn_unsubscribe_text']],
  ['Canada: no contact details or link', 'Acme Deals: new arrivals this week. Reply STOP to opt out.', 'marketing', 'CA', 'en', {}, ['sender_contact_missing'], []],
  ['Canada: a link carries the contact details', PROMO, 'marketing', 'CA', 'en', {}, [], []],
  ['Canada: the help contact is enough', 'Acme Deals: new arrivals, help@acme.example. Reply STOP to opt out.', 'marketing', 'CA', 'en', {}, [], []],
  ['Australia: no contact details', 'Acme Deals: new arrivals this week. Reply STOP to opt out.', 'marketing', 'AU', 'en', {}, ['sender_contact_missing'], []],
  ['marketing from an informational program', PROMO, 'marketing', 'US', 'en', { category: 'informational' }, ['kind_not_in_program_category'], []],
  ['empty', '', 'marketing', 'US', 'en', {}, ['empty_body', 'brand_missing', 'opt_out_missing'], []],
  ['a variable left in', 'Acme Deals: hi {{first_name}}, new arrivals. Reply STOP to opt out.', 'marketing', 'US', 'en', {}, ['unrendered_variable'], []],
  ['too long for the program', `Acme Deals: ${'new arrivals '.repeat(14)}Reply STOP to opt out.`, 'marketing', 'US', 'en', { segmentLimit: 1 }, ['too_many_segments'], []],
  ['an emoji switches to UCS-2', 'Acme Deals: new arrivals 🎉 Reply STOP to opt out.', 'marketing', 'US', 'en', {}, [], ['ucs2_encoding']],
];

const REPLIES: Row[] = [
  ['a complete welcome', WELCOME, 'welcome', 'US', 'en', {}, [], []],
  ['a welcome missing its rates notice', WELCOME.replace(' Msg & data rates may apply.', ''), 'welcome', 'US', 'en', {}, ['rates_notice_missing'], []],
  ['a welcome missing its terms link', WELCOME.replace(' Terms: https://acme.example/terms', ''), 'welcome', 'US', 'en', {}, ['terms_link_missing'], []],
  ['a welcome missing privacy and HELP', WELCOME.replace('Reply HELP for help, ', 'Reply ').replace(' Privacy: https://acme.example/privacy', ''), 'welcome', 'US', 'en', {}, ['help_missing', 'privacy_link_missing'], []],
  ['a welcome missing what and how often', "Acme Deals: You're subscribed. Msg & data rates may apply. Reply HELP for help, STOP to cancel. Terms: https://acme.example/terms Privacy: https://acme.example/privacy", 'welcome', 'US', 'en', {}, ['description_missing', 'frequency_missing'], []],
  ['a welcome with a coupon is a warning', `${WELCOME} Use code HELLO for 10% off`, 'welcome', 'US', 'en', { segmentLimit: 4 }, [], ['promotional_content']],
  [
    'a Spanish welcome missing its rates notice',
    'Acme Deals: Te suscribiste a Acme Deals: weekly offers on outdoor gear. Hasta 4 mensajes al mes. Responde AYUDA para ayuda o STOP para cancelar. Términos: https://acme.example/terms Privacidad: https://acme.example/privacy',
    'welcome', 'MX', 'es', {}, ['rates_notice_missing'], [],
  ],
  [
    'a French welcome missing its rates notice',
    "Acme Deals : Inscription confirmée à Acme Deals : weekly offers on outdoor gear. Jusqu'à 4 SMS par mois. Répondez AIDE pour de l'aide, STOP pour vous désabonner. Conditions : https://acme.example/terms Confidentialité : https://acme.example/privacy",
    'welcome', 'FR', 'fr', {}, ['rates_notice_missing'], [],
  ],
  ['a confirmation request without how to confirm', 'Acme Deals: get weekly offers on outdoor gear. Msg & data rates may apply. Reply HELP for help, STOP to cancel.', 'confirmation_request', 'US', 'en', {}, ['confirm_instruction_missing'], []],
  ['a confirmation request with a discount', 'Acme Deals: Reply YES for weekly offers on outdoor gear and 15% off. Msg & data rates may apply. Reply HELP for help, STOP to cancel.', 'confirmation_request', 'US', 'en', {}, ['promotional_content'], []],
  ['a HELP reply without the help contact', 'Acme Deals: Up to 4 msgs/month. Msg & data rates may apply. Reply STOP to cancel.', 'help', 'US', 'en', {}, ['help_contact_missing'], []],
  ['a HELP reply without STOP', 'Acme Deals: help at help@acme.example. Up to 4 msgs/month. Msg & data rates may apply.', 'help', 'US', 'en', {}, ['opt_out_missing'], []],
  ['a STOP confirmation', "Acme Deals: You're unsubscribed and will get no more messages. Reply START to rejoin.", 'stop_confirmation', 'US', 'en', {}, [], []],
  ['a STOP confirmation that sells', "Acme Deals: You're unsubscribed. Before you go: 20% off with code BYE.", 'stop_confirmation', 'US', 'en', {}, ['promotional_content'], []],
  ['a STOP confirmation that confirms nothing', 'Acme Deals: Got it, thanks.', 'stop_confirmation', 'US', 'en', {}, ['opt_out_not_confirmed'], []],
  ['a Spanish STOP confirmation', 'Acme Deals: Te diste de baja. No te enviaremos otros mensajes.', 'stop_confirmation', 'MX', 'es', {}, [], []],
  ['a French STOP confirmation', 'Acme Deals : Vous ne recevrez plus de messages.', 'stop_confirmation', 'FR', 'fr', {}, [], []],
  ['a reminder without STOP', "Acme Deals: Reminder: you're subscribed to weekly offers.", 'reminder', 'US', 'en', {}, ['opt_out_missing'], []],
  ['a policy notice without a link', "Acme Deals: We've updated our terms. Reply STOP to cancel.", 'policy_notice', 'US', 'en', {}, ['policy_link_missing'], []],
  ['a clarification that sells', "Acme Deals: We didn't understand. Shop our sale! Reply STOP to opt out.", 'clarification', 'US', 'en', {}, ['promotional_content'], []],
  ['an informational text without STOP is a warning', 'Northwind: your refill is ready for pickup.', 'informational', 'US', 'en', { brandName: 'Northwind' }, [], ['opt_out_missing']],
  ['a transactional text needs only the brand', 'Acme Outfitters: order 1042 has shipped.', 'transactional', 'US', 'en', {}, [], []],
  ['a re-consent request without YES', 'Acme Deals: keep getting offers? Msg & data rates may apply. Reply STOP to cancel.', 'reconsent', 'CA', 'en', {}, ['confirm_instruction_missing'], []],
];

describe('lintMessage', () => {
  it.each([...MARKETING, ...REPLIES])('%s', (_label, body, kind, country, language, program, errors, warnings) => {
    const result = lintMessage(body, { kind, program: buildProgram(program), country, language });
    expect({ errors: result.errors.map((issue) => issue.code), warnings: result.warnings.map((issue) => issue.code) }).toEqual({ errors, warnings });
  });

  it('reports encoding and segments', () => {
    expect(lintMessage(WELCOME, { kind: 'welcome', program: buildProgram(), country: 'US', language: 'en' })).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });
});

describe('segments', () => {
  const rows: [label: string, body: string, encoding: 'GSM-7' | 'UCS-2', segments: number][] = [
    ['160 × a', 'a'.repeat(160), 'GSM-7', 1],
    ['161 × a', 'a'.repeat(161), 'GSM-7', 2],
    ['306 × a', 'a'.repeat(306), 'GSM-7', 2],
    ['307 × a', 'a'.repeat(307), 'GSM-7', 3],
    ['80 × €', '€'.repeat(80), 'GSM-7', 1],
    ['81 × €', '€'.repeat(81), 'GSM-7', 2],
    ['80 × [', '['.repeat(80), 'GSM-7', 1],
    ['81 × [', '['.repeat(81), 'GSM-7', 2],
    ['10 × é', 'é'.repeat(10), 'GSM-7', 1],
    ['70 × ü', 'ü'.repeat(70), 'GSM-7', 1],
    ['lower-case ç', 'ç', 'UCS-2', 1],
    ['ê', 'ê', 'UCS-2', 1],
    ['69 × a + ç', `${'a'.repeat(69)}ç`, 'UCS-2', 1],
    ['70 × a + ç', `${'a'.repeat(70)}ç`, 'UCS-2', 2],
    ['35 × 😀', '😀'.repeat(35), 'UCS-2', 1],
    ['70 × 😀', '😀'.repeat(70), 'UCS-2', 3],
    ['curly quotes', 'Hello “quotes”', 'UCS-2', 1],
    ['upstream: escape + 158 digits', `{23456789${'0123456789'.repeat(15)}`, 'GSM-7', 1],
    ['upstream: escape + 159 digits', `{23456789${'0123456789'.repeat(15)}0`, 'GSM-7', 2],
    ['upstream: emoji + 68 digits', `😜23456789${'0123456789'.repeat(6)}`, 'UCS-2', 1],
    ['upstream: emoji + 69 digits', `😜23456789${'0123456789'.repeat(6)}0`, 'UCS-2', 2],
  ];

  it.each(rows)('%s', (_label, body, encoding, segments) => {
    expect(countSegments(body)).toMatchObject({ encoding, segments });
  });

  const gsmBasic = [...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'];

  test.prop([fc.string({ unit: fc.constantFrom(...gsmBasic), minLength: 1, maxLength: 480 })], { numRuns: 150 })(
    'the plain GSM-7 shortcut agrees with sms-segments-calculator',
    (body) => {
      const library = new SegmentedMessage(body);
      expect({ encoding: library.encodingName, segments: library.segmentsCount }).toEqual({ encoding: 'GSM-7', segments: plainGsmSegments(body) });
    },
  );
});
