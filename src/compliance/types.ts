// Shared vocabulary of the compliance rules. Other modules code against these exact names.

export type Language = 'en' | 'es' | 'fr';

export type KeywordKind = 'stop' | 'help' | 'start' | 'confirm' | 'other';

export interface KeywordMatch {
  kind: KeywordKind;
  language: Language | null;
  matched: string | null;
  via: 'exact' | 'misspelling' | 'phrase' | 'program' | 'none';
  ambiguous: boolean;
}

/** Program-specific keywords, added to the built-in lists. `join` words opt in and classify as 'start'. */
export interface ProgramKeywords {
  stop?: string[];
  help?: string[];
  start?: string[];
  confirm?: string[];
  join?: string[];
}

export type MessageKind =
  | 'marketing'
  | 'informational'
  | 'transactional'
  | 'confirmation_request'
  | 'welcome'
  | 'help'
  | 'stop_confirmation'
  | 'reminder'
  | 'reconsent'
  | 'policy_notice'
  | 'clarification'
  | 'emergency';

export type MessageCategory = 'marketing' | 'informational' | 'transactional';

export type ConsentType =
  | 'express_written'
  | 'express'
  | 'implied_purchase'
  | 'implied_inquiry'
  | 'inferred'
  | 'soft_opt_in'
  | 'informational'
  | 'emergency';

export type ConsentSource = 'keyword' | 'web_form' | 'paper_form' | 'popup' | 'api' | 'import';

export interface Jurisdiction {
  country: string;
  numberType: string | null;
  /** ISO 3166-2, e.g. 'US-FL', 'CA-ON' */
  region: string | null;
  /** IANA candidates, never empty */
  timeZones: string[];
  zoneBasis: 'number' | 'zip' | 'region' | 'country' | 'strictest';
}

export interface QuietHours {
  /** 'HH:mm', earliest allowed local time */
  start: string;
  /** 'HH:mm', latest allowed local time (exclusive) */
  end: string;
}

/** What the rules need to know about a program. */
export interface ProgramRules {
  brandName: string;
  programName: string;
  description: string;
  frequencyText: string;
  helpContact: string;
  termsUrl: string;
  privacyUrl: string;
  category: MessageCategory;
  languages: Language[];
  allowedCountries: string[];
  minimumAge: number | null;
  segmentLimit: number;
  /** A narrower window; may never widen the law. */
  quietHours: QuietHours | null;
  frequencyCap: { count: number; perHours: number } | null;
  keywords: ProgramKeywords;
}

export interface ConsentRecord {
  type: ConsentType;
  givenAt: Date;
  purchaseAt: Date | null;
  inquiryAt: Date | null;
}

/** `rule` is a stable id such as 'us-fl-hours'. */
export interface Decision {
  ok: boolean;
  rule: string;
  reason: string;
}
