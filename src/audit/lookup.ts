// Finding subscribers by phone number for the auditor's and the erasure
// requests: the number is read once, hashed, and never repeated in an error.
import type { Db } from '../db/client.js';
import { InvalidPhoneError, parsePhone } from '../compliance/index.js';
import { InvalidPhoneNumberError, NotFoundError } from '../domain/errors.js';
import { phoneHash } from '../identity.js';

export interface ResolvedPhone {
  e164: string;
  phoneHash: string;
}

/** `country` (ISO 3166-1 alpha-2) reads a national number; E.164 needs none. */
export function resolvePhone(input: string, phoneHashKey: string, country?: string): ResolvedPhone {
  try {
    const { e164 } = parsePhone(input, country);
    return { e164, phoneHash: phoneHash(e164, phoneHashKey) };
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      throw new InvalidPhoneNumberError(err.reason);
    }
    throw err;
  }
}

export async function subscriberIdByPhone(db: Db, programId: string, phone: ResolvedPhone): Promise<string> {
  const row = await db.subscriber.findUnique({
    where: { programId_phoneHash: { programId, phoneHash: phone.phoneHash } },
    select: { id: true },
  });
  if (!row) {
    throw new NotFoundError('subscriber', `in program ${programId} with phone hash ${phone.phoneHash}`);
  }
  return row.id;
}

/** The spellings of a number that a leak could take: E.164, digits only, national digits. */
export function phoneSpellings(e164: string): Array<{ label: string; value: string }> {
  const digits = e164.replace(/\D/g, '');
  const spellings = [
    { label: 'E.164', value: e164 },
    { label: 'digits', value: digits },
  ];
  // NANP national digits are the last ten; elsewhere the country code is 1–3 digits and E.164 covers it.
  if (e164.startsWith('+1') && digits.length === 11) {
    spellings.push({ label: 'national digits', value: digits.slice(1) });
  }
  return spellings;
}
