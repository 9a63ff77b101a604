// Subscribers and their consent as the API reads and writes them.
import { z } from 'zod';

const isoInstant = z.iso.datetime({ offset: true });

export const consentSourceSchema = z.enum(['keyword', 'web_form', 'paper_form', 'popup', 'api', 'import']).meta({ id: 'ConsentSource', description: 'Where the person gave consent' });

export const consentTypeSchema = z
  .enum(['express_written', 'express', 'implied_purchase', 'implied_inquiry', 'inferred', 'soft_opt_in', 'informational', 'emergency'])
  .meta({ id: 'ConsentType', description: 'Kind of consent, as the law of the recipient’s country names it (e.g. TCPA prior express written consent, CASL implied consent after a purchase)' });

export const consentStateSchema = z
  .enum(['new', 'pending', 'active', 'paused', 'opted_out', 'expired', 'lapsed', 'refused', 'erased'])
  .meta({ id: 'ConsentState' });

export const optInBody = z
  .object({
    phone: z.string().min(1).max(40).meta({ description: 'Mobile number, E.164 preferred; national format needs `country`', example: '+13125550123' }),
    country: z.string().regex(/^[A-Z]{2}$/).optional().meta({ description: 'Country for a number given in national format', example: 'US' }),
    source: consentSourceSchema,
    consentType: consentTypeSchema,
    consentAt: isoInstant.meta({ description: 'When the person consented', example: '2026-12-03T15:04:05Z' }),
    disclosureVersion: z.string().trim().min(1).max(100).optional().meta({ description: 'Version of the consent disclosure the person saw', example: 'web-2026-11' }),
    disclosureText: z.string().trim().min(1).max(2000).optional().meta({ description: 'The disclosure text itself, when it has no version' }),
    ip: z.union([z.ipv4(), z.ipv6()]).optional().meta({ description: "Consenting device's IP address (personal evidence, erasable)" }),
    userAgent: z.string().max(512).optional().meta({ description: 'Browser user agent (personal evidence)' }),
    pageUrl: z.url({ protocol: /^https?$/ }).max(2000).optional().meta({ description: 'Page of the sign-up form (personal evidence)' }),
    formRef: z.string().max(200).optional().meta({ description: 'Your reference for the form or paper record' }),
    birthdate: z.iso.date().optional().meta({ description: 'Birth date, for age-gated programs (personal evidence)', example: '1990-04-01' }),
    purchaseAt: isoInstant.optional().meta({ description: 'Last purchase, for implied consent after a purchase (CASL)' }),
    inquiryAt: isoInstant.optional().meta({ description: 'Last inquiry, for implied consent after an inquiry (CASL)' }),
    region: z.string().max(10).optional().meta({ description: 'State or province hint (ISO 3166-2 or postal abbreviation) where the number alone is ambiguous', example: 'US-FL' }),
    zip: z.string().max(10).optional().meta({ description: 'ZIP or postal code hint for the time zone', example: '33101' }),
    language: z.enum(['en', 'es', 'fr']).optional().meta({ description: 'Preferred language, if the program offers it' }),
  })
  .strict()
  .refine((b) => b.disclosureVersion !== undefined || b.disclosureText !== undefined, {
    message: 'give disclosureVersion or disclosureText: what the person agreed to',
    path: ['disclosureVersion'],
  })
  .meta({ id: 'OptIn', description: 'Consent evidence for one phone number' });

export const optInResultSchema = z
  .object({
    subscriberId: z.string(),
    programId: z.string(),
    workflowId: z.string().meta({ description: "The subscriber's lifecycle workflow in Temporal" }),
    state: consentStateSchema,
    created: z.boolean().meta({ description: 'True when this request created the subscriber' }),
    phone: z.string().meta({ description: 'Masked number', example: '+1******0123' }),
  })
  .meta({ id: 'OptInResult' });

export const optOutBody = z
  .object({ reason: z.string().trim().min(1).max(200).default('customer service request').meta({ description: 'Why, for the audit trail (no personal data)' }) })
  .strict()
  .meta({ id: 'OptOut' });

export const optOutResultSchema = z
  .object({
    subscriberId: z.string(),
    state: consentStateSchema,
    ledgerEventId: z.string().nullable().meta({ description: 'The opted_out ledger event; null when the subscriber was already opted out' }),
  })
  .meta({ id: 'OptOutResult' });

const pendingTextSchema = z.object({
  requestId: z.string(),
  kind: z.string(),
  heldUntil: z.string().nullable(),
  holdRule: z.string().nullable(),
  holdReason: z.string().nullable(),
});

export const subscriberSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    workflowId: z.string(),
    phone: z.string().nullable().meta({ description: 'Masked (+1******0123) except for admins; null once erased' }),
    state: consentStateSchema,
    consentType: consentTypeSchema.nullable(),
    consentSource: z.string().nullable(),
    consentAt: z.string().nullable(),
    confirmedAt: z.string().nullable(),
    optedOutAt: z.string().nullable(),
    consentExpiresAt: z.string().nullable().meta({ description: 'When consent lapses under the law (e.g. CASL implied consent), if it does' }),
    language: z.string(),
    jurisdiction: z.object({
      country: z.string(),
      region: z.string().nullable(),
      numberType: z.string().nullable(),
      timeZones: z.array(z.string()),
      zoneBasis: z.string(),
    }),
    nextMarketingSendAt: z.string().nullable().meta({ description: 'Earliest instant a marketing text could go now (quiet hours, holidays, frequency caps); null when consent does not allow one' }),
    nextMarketingSendRule: z.string().nullable().meta({ description: 'The rule that decides that instant, e.g. us-fl-hours' }),
    pending: z.array(pendingTextSchema).meta({ description: 'Texts waiting in the lifecycle, with why they are held' }),
    live: z.boolean().meta({ description: 'True when state and pending texts come from the running workflow; false when read from the database' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Subscriber' });

export const subscriberParams = z.object({
  programId: z.string().regex(/^[a-z0-9][a-z0-9_-]{2,63}$/, 'not a program ID'),
  subscriberId: z.string().regex(/^sub_[0-9a-f]{28}$/, 'not a subscriber ID'),
});

export const subscriberListQuery = z.object({
  state: consentStateSchema.optional().meta({ description: 'Only subscribers in this consent state' }),
  country: z.string().regex(/^[A-Z]{2}$/).optional().meta({ description: 'Only numbers of this country' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^sub_[0-9a-f]{28}$/, 'not a cursor').optional().meta({ description: 'The `nextCursor` of the previous page' }),
});

export const subscriberSummarySchema = z
  .object({
    id: z.string(),
    phone: z.string().nullable(),
    state: consentStateSchema,
    country: z.string(),
    consentType: z.string().nullable(),
    consentAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'SubscriberSummary' });

export type OptInBody = z.output<typeof optInBody>;
