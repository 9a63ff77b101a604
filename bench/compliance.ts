// Per-message cost of the compliance rules: resolveJurisdiction + nextAllowedSendTime + canSend +
// lintMessage, over 100,000 mixed numbers. Run: npx tsx bench/compliance.ts [--messages N] [--personalised]
//
// By default messages share campaign bodies (one body per campaign and language, as a bulk send
// does), so lint's body analysis is computed once per body. --personalised gives every message its
// own body (a name and a coupon code), the worst case for lint.
import {
  canSend,
  lintMessage,
  nextAllowedSendTime,
  parsePhone,
  resolveJurisdiction,
  type ConsentRecord,
  type ConsentType,
  type JurisdictionHints,
  type Language,
  type MessageKind,
  type ProgramRules,
} from '../src/compliance/index.js';

interface Message {
  e164: string;
  hints: JurisdictionHints;
  now: Date;
  kind: MessageKind;
  consent: ConsentRecord;
  body: string;
  language: Language;
}

const PROGRAM: ProgramRules = {
  brandName: 'Acme Outfitters',
  programName: 'Acme Deals',
  description: 'weekly offers on outdoor gear',
  frequencyText: 'Up to 4 msgs/month',
  helpContact: 'help@acme.example',
  termsUrl: 'https://acme.example/terms',
  privacyUrl: 'https://acme.example/privacy',
  category: 'marketing',
  languages: ['en', 'es', 'fr'],
  allowedCountries: ['US', 'CA', 'GB', 'GG', 'AU', 'DE', 'FR', 'MX', 'BR', 'CN'],
  minimumAge: null,
  segmentLimit: 3,
  quietHours: { start: '09:00', end: '20:00' },
  frequencyCap: null,
  keywords: { join: ['JOIN'] },
};

const US_AREA_CODES = [
  '212', '718', '305', '813', '850', '605', '208', '512', '713', '214', '205', '504', '601', '801', '405', '918', '301', '410',
  '203', '860', '206', '415', '213', '312', '404', '804', '270', '702', '617', '313', '612', '505', '215', '401', '907', '808',
  '602', '303', '615', '704',
];
const CA_AREA_CODES = ['416', '514', '604', '403', '709', '902', '306', '204'];
const TOLL_FREE = ['800', '888', '877', '866', '855', '844', '833'];
const ZIPS = ['33130', '10001', '60601', '85001', '94105', '73301', '99501', '96813'];

const CAMPAIGN_BODIES: Record<Language, string[]> = {
  en: [
    'Acme Deals: Flash sale, 20% off boots this weekend at https://acme.example/s. Reply STOP to opt out.',
    'Acme Deals: New tents just landed. See them at https://acme.example/tents Reply STOP to opt out.',
    'Acme Outfitters: your member discount is waiting at https://acme.example/m. Reply STOP to opt out.',
    'Acme Deals: Last day for free shipping on orders over $50. Reply STOP to opt out.',
  ],
  es: [
    'Acme Deals: Oferta relampago, 20% en botas este fin de semana: https://acme.example/s Responde STOP para cancelar.',
    'Acme Deals: Nuevas tiendas de campaña en https://acme.example/tents Responde STOP para cancelar.',
  ],
  fr: [
    'Acme Deals : soldes, -20 % sur les chaussures ce week-end : https://acme.example/s Répondez STOP pour vous désabonner.',
    'Acme Deals : nouvelles tentes sur https://acme.example/tents Répondez STOP pour vous désabonner.',
  ],
};

const NAMES = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Gus', 'Hana', 'Iker', 'Jo'];

/** Deterministic PRNG (mulberry32), so every run builds the same messages. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildMessages(count: number, seed: number, personalised: boolean): Message[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
  const exchange = () => `${2 + Math.floor(next() * 8)}${digits(2)}`;

  const generators: [weight: number, make: () => { raw: string; hints: JurisdictionHints; language: Language }][] = [
    [55, () => ({ raw: `+1${pick(US_AREA_CODES)}${exchange()}${digits(4)}`, hints: next() < 0.3 ? { region: 'FL' } : {}, language: next() < 0.2 ? 'es' : 'en' })],
    [8, () => ({ raw: `+1${pick(CA_AREA_CODES)}${exchange()}${digits(4)}`, hints: {}, language: next() < 0.3 ? 'fr' : 'en' })],
    [4, () => ({ raw: `+1${pick(TOLL_FREE)}${exchange()}${digits(4)}`, hints: next() < 0.5 ? { zip: pick(ZIPS) } : {}, language: 'en' })],
    [6, () => ({ raw: `+447${pick(['400', '700', '800', '900', '911'])}${digits(6)}`, hints: {}, language: 'en' })],
    [6, () => ({ raw: next() < 0.7 ? `+614${digits(8)}` : `+61${pick(['2', '3', '7', '8'])}9${digits(7)}`, hints: {}, language: 'en' })],
    [5, () => ({ raw: `+49${pick(['151', '160', '170', '176'])}${digits(8)}`, hints: {}, language: 'en' })],
    [5, () => ({ raw: `+33${pick(['6', '7'])}${digits(8)}`, hints: {}, language: 'fr' })],
    [4, () => ({ raw: `+52${pick(['55', '33', '81', '222'])}${digits(8)}`.slice(0, 13), hints: {}, language: 'es' })],
    [4, () => ({ raw: `+55${pick(['11', '21', '31', '61'])}9${digits(8)}`, hints: {}, language: 'es' })],
    [3, () => ({ raw: `+86${pick(['130', '138', '150', '186'])}${digits(8)}`, hints: {}, language: 'en' })],
  ];
  const totalWeight = generators.reduce((sum, [weight]) => sum + weight, 0);

  const messages: Message[] = [];
  while (messages.length < count) {
    let roll = next() * totalWeight;
    const [, make] = generators.find(([weight]) => (roll -= weight) < 0) ?? (generators[0] as (typeof generators)[number]);
    const { raw, hints, language } = make();
    let e164: string;
    try {
      e164 = parsePhone(raw).e164;
    } catch {
      continue;
    }
    const kind: MessageKind = next() < 0.85 ? 'marketing' : pick(['informational', 'reminder', 'help', 'welcome'] as const);
    const body = personalised
      ? `Acme Deals: Hi ${pick(NAMES)}, your code ${digits(6)} takes 20% off boots at https://acme.example/s. Reply STOP to opt out.`
      : pick(CAMPAIGN_BODIES[language]);
    messages.push({
      e164,
      hints,
      // Spread over a week that includes the US spring-forward day.
      now: new Date(Date.parse('2026-03-04T00:00:00Z') + Math.floor(next() * 7 * 24 * 60) * 60_000),
      kind,
      consent: consentFor(e164, next),
      body,
      language,
    });
  }
  return messages;
}

function consentFor(e164: string, next: () => number): ConsentRecord {
  const type: ConsentType = e164.startsWith('+1') ? 'express_written' : e164.startsWith('+44') && next() < 0.3 ? 'soft_opt_in' : 'express';
  return { type, givenAt: new Date('2026-01-10T12:00:00Z'), purchaseAt: null, inquiryAt: null };
}

function processMessage(message: Message): number {
  const recipient = resolveJurisdiction(message.e164, message.hints);
  const window = nextAllowedSendTime(message.now, recipient, PROGRAM, message.kind);
  const decision = canSend(message.kind, message.consent, recipient, message.now);
  const lint = lintMessage(message.body, { kind: message.kind, program: PROGRAM, country: recipient.country, language: message.language });
  return (window.allowedNow ? 1 : 0) + (decision.ok ? 1 : 0) + lint.errors.length;
}

function stageMeans(messages: Message[]): Record<string, number> {
  const recipients = messages.map((message) => resolveJurisdiction(message.e164, message.hints));
  const timeIt = (work: (message: Message, index: number) => unknown) => {
    const start = process.hrtime.bigint();
    messages.forEach(work);
    return Number(process.hrtime.bigint() - start) / 1000 / messages.length;
  };
  return {
    resolveJurisdiction: timeIt((message) => resolveJurisdiction(message.e164, message.hints)),
    nextAllowedSendTime: timeIt((message, i) => nextAllowedSendTime(message.now, recipients[i]!, PROGRAM, message.kind)),
    canSend: timeIt((message, i) => canSend(message.kind, message.consent, recipients[i]!, message.now)),
    lintMessage: timeIt((message, i) =>
      lintMessage(message.body, { kind: message.kind, program: PROGRAM, country: recipients[i]!.country, language: message.language }),
    ),
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const count = Number(args[args.indexOf('--messages') + 1]) || 100_000;
  const personalised = args.includes('--personalised');

  const setupStart = performance.now();
  const warmup = buildMessages(Math.min(20_000, count), 7, personalised);
  const messages = buildMessages(count, 42, personalised);
  const setupMs = performance.now() - setupStart;

  // Warm-up on other numbers: JIT, packaged data and per-zone caches, but not these exact numbers.
  let checksum = 0;
  for (const message of warmup) {
    checksum += processMessage(message);
  }

  const perMessage = new Float64Array(messages.length);
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  messages.forEach((message, i) => {
    const t0 = process.hrtime.bigint();
    checksum += processMessage(message);
    perMessage[i] = Number(process.hrtime.bigint() - t0) / 1000;
  });
  const totalUs = Number(process.hrtime.bigint() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuUs = cpu.user + cpu.system;

  const sorted = Float64Array.from(perMessage).sort();
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const memory = process.memoryUsage();
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const stages = stageMeans(messages);

  const lines = [
    `compliance benchmark: ${messages.length} messages (${personalised ? 'personalised bodies' : 'shared campaign bodies'}), Node ${process.version}`,
    `setup (build + validate numbers): ${(setupMs / 1000).toFixed(1)} s; warm-up ${warmup.length} messages on other numbers`,
    `per message (wall clock): mean ${(totalUs / messages.length).toFixed(1)} µs, p50 ${quantile(0.5).toFixed(1)} µs, p99 ${quantile(0.99).toFixed(1)} µs, max ${quantile(1).toFixed(0)} µs`,
    `per message (CPU time of this process, unaffected by other load): mean ${(cpuUs / messages.length).toFixed(1)} µs`,
    `stages (mean µs, second pass): ${Object.entries(stages).map(([name, us]) => `${name} ${us.toFixed(1)}`).join(', ')}`,
    `memory: rss ${mb(memory.rss)}, heap used ${mb(memory.heapUsed)}, external ${mb(memory.external)}`,
    `checksum ${checksum}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
