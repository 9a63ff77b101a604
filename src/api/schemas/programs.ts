// Programs as the API reads and writes them. Field docs feed the OpenAPI document.
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be 'HH:mm' (00:00–23:59)");
const language = z.enum(['en', 'es', 'fr']);
const keywordList = z.array(z.string().trim().min(1).max(20).regex(/^[\p{L}\p{N}]+$/u, 'one word, letters and digits')).max(20);

const senderPatterns = {
  twilio_number: { regex: /^\+[1-9]\d{6,14}$/, what: 'an E.164 number such as +15005550006' },
  toll_free: { regex: /^\+[1-9]\d{6,14}$/, what: 'an E.164 toll-free number such as +18005550006' },
  messaging_service: { regex: /^MG[0-9a-f]{32}$/, what: 'a Messaging Service SID (MG + 32 hex digits)' },
  short_code: { regex: /^\d{3,8}$/, what: 'a short code of 3–8 digits' },
  simulated: { regex: /.*/, what: 'nothing' },
} as const;

export const senderSchema = z
  .object({
    type: z.enum(['twilio_number', 'messaging_service', 'short_code', 'toll_free', 'simulated']).meta({ description: 'How texts leave: a Twilio number, a Messaging Service, a short code, a toll-free number, or the built-in simulator' }),
    value: z.string().trim().min(1).max(64).optional().meta({ description: 'The number (E.164), short code or Messaging Service SID; omitted for simulated', example: '+15005550006' }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const pattern = senderPatterns[s.type];
    if (s.type !== 'simulated' && (s.value === undefined || !pattern.regex.test(s.value))) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `a ${s.type} sender needs ${pattern.what}` });
    }
  })
  .meta({ id: 'Sender' });

export const quietHoursSchema = z
  .object({
    start: hhmm.meta({ description: 'Earliest local send time', example: '10:00' }),
    end: hhmm.meta({ description: 'Latest local send time (exclusive)', example: '19:00' }),
  })
  .strict()
  .refine((q) => q.start < q.end, { message: 'start must be before end (the window is within one day)', path: ['end'] })
  .meta({ id: 'QuietHours', description: "The program's own sending window in the recipient's time zone. It can only narrow what the law allows." });

export const keywordsSchema = z
  .object({
    join: keywordList.optional().meta({ description: 'Words that opt a texter in (e.g. the program keyword)', example: ['DEALS'] }),
    stop: keywordList.optional().meta({ description: 'Extra opt-out words, on top of the built-in STOP words' }),
    help: keywordList.optional().meta({ description: 'Extra help words, on top of HELP/INFO' }),
    start: keywordList.optional().meta({ description: 'Extra re-subscribe words, on top of START/UNSTOP' }),
    confirm: keywordList.optional().meta({ description: 'Extra double opt-in confirmation words, on top of YES' }),
  })
  .strict()
  .meta({ id: 'ProgramKeywords' });

const programFields = {
  brandName: z.string().trim().min(1).max(60).meta({ description: 'The brand texts are sent for; starts every text', example: 'Acme Outdoor' }),
  name: z.string().trim().min(1).max(80).meta({ description: 'Program name, as disclosed at opt-in', example: 'Acme Deals' }),
  description: z.string().trim().min(1).max(500).meta({ description: 'What subscribers receive', example: 'Weekly deals and new arrivals' }),
  frequencyText: z.string().trim().min(1).max(60).meta({ description: 'Message frequency as disclosed', example: 'Up to 4 msgs/week' }),
  frequencyCap: z
    .object({ count: z.number().int().min(1).max(1000), perHours: z.number().int().min(1).max(24 * 366) })
    .strict()
    .nullable()
    .default(null)
    .meta({ description: 'At most `count` marketing texts per `perHours` per subscriber; null for none beyond the law' }),
  helpContact: z.string().trim().min(1).max(100).meta({ description: 'Where HELP points: phone, e-mail or URL', example: 'help@acme.example' }),
  termsUrl: z.url({ protocol: /^https?$/ }).max(500).meta({ description: 'Terms of the program', example: 'https://acme.example/sms-terms' }),
  termsVersion: z.string().trim().min(1).max(40).meta({ description: 'Version of the terms that opt-ins agree to', example: '2026-11' }),
  privacyUrl: z.url({ protocol: /^https?$/ }).max(500).meta({ description: 'Privacy policy', example: 'https://acme.example/privacy' }),
  privacyVersion: z.string().trim().min(1).max(40).meta({ example: '2026-11' }),
  sender: senderSchema,
  allowedCountries: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case'))
    .min(1)
    .max(50)
    .meta({ description: 'Countries whose numbers may opt in', example: ['US', 'CA'] }),
  languages: z.array(language).min(1).max(3).meta({ description: 'Languages of the program texts; the first is the default', example: ['en', 'es'] }),
  doubleOptIn: z.boolean().default(true).meta({ description: 'Ask for a YES reply before the first marketing text' }),
  confirmationWindowHours: z.number().int().min(1).max(24 * 30).default(72).meta({ description: 'How long a double opt-in waits for its YES' }),
  reminderEveryDays: z.number().int().min(1).max(365).default(30).meta({ description: 'Remind subscribers how to opt out at least this often' }),
  reminderEveryMessages: z.number().int().min(1).max(1000).nullable().default(null).meta({ description: '…or after this many texts, whichever comes first' }),
  reminderMode: z.enum(['standalone', 'append']).default('standalone').meta({ description: 'Send the reminder as its own text, or append it to the next marketing text' }),
  quietHours: quietHoursSchema.nullable().default(null),
  messagesPerSecond: z.number().positive().max(1000).nullable().default(null).meta({ description: "Cap on this program's send rate; null for the sender's default" }),
  category: z.enum(['marketing', 'informational', 'transactional']).default('marketing').meta({ description: 'What the program sends; decides which consent it needs' }),
  minimumAge: z.number().int().min(13).max(25).nullable().default(null).meta({ description: 'Age gate: opt-ins must give a birth date showing at least this age' }),
  segmentLimit: z.number().int().min(1).max(10).default(3).meta({ description: 'Longest text allowed, in SMS segments' }),
  keywords: keywordsSchema.default({}),
};

export const programIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,39}$/, '3–40 lower-case letters, digits and dashes')
  .meta({ description: 'Program ID', example: 'acme-deals' });

export const createProgramBody = z
  .object({ id: programIdSchema.optional().meta({ description: 'Optional readable ID; generated when omitted' }), ...programFields })
  .strict()
  .meta({ id: 'CreateProgram' });

// Terms and privacy move through a policy change (which notifies or re-asks subscribers), not a plain update.
export const updateProgramBody = z
  .object(programFields)
  .omit({ termsUrl: true, termsVersion: true, privacyUrl: true, privacyVersion: true })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'change at least one field' })
  .meta({ id: 'UpdateProgram', description: 'Fields to change. Terms and privacy versions change through a policy change instead.' });

export const programSchema = z
  .object({
    id: programIdSchema,
    ...Object.fromEntries(Object.entries(programFields).map(([k, v]) => [k, v instanceof z.ZodDefault ? v.unwrap() : v])),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Program' });

export const programParams = z.object({ programId: z.string().regex(/^[a-z0-9][a-z0-9_-]{2,63}$/, "not a program ID").meta({ description: "Program ID" }) });

export type CreateProgramBody = z.output<typeof createProgramBody>;
export type UpdateProgramBody = z.output<typeof updateProgramBody>;
