// Encoding and segment count. sms-segments-calculator is exact but slow (grapheme splitting costs
// around a millisecond for 160 characters), so plain GSM-7 text, by far the common case, is counted
// directly; anything else goes to the library and its answer is remembered per body.
import { SegmentedMessage } from 'sms-segments-calculator';

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** Characters that forced UCS-2. */
  nonGsm: string[];
}

/** 3GPP TS 23.038 default alphabet, basic table only (escape-table characters take the slow path). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

const SINGLE_SEGMENT_SEPTETS = 160;
const CONCATENATED_SEPTETS = 153;
const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, SegmentCount>();

export function countSegments(body: string): SegmentCount {
  const plain = plainGsmSegments(body);
  if (plain !== null) {
    return { encoding: 'GSM-7', segments: plain, nonGsm: [] };
  }
  let count = remembered.get(body);
  if (!count) {
    const message = new SegmentedMessage(body, 'auto');
    count = {
      encoding: message.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7',
      segments: message.segmentsCount,
      nonGsm: message.getNonGsmCharacters(),
    };
    if (remembered.size >= MAX_REMEMBERED) {
      remembered.clear();
    }
    remembered.set(body, count);
  }
  return count;
}

/** Segments for text made only of basic-table GSM-7 characters (one septet each); null otherwise. */
export function plainGsmSegments(body: string): number | null {
  for (const ch of body) {
    if (!GSM_BASIC.has(ch)) {
      return null;
    }
  }
  const septets = body.length;
  return septets <= SINGLE_SEGMENT_SEPTETS ? 1 : Math.ceil(septets / CONCATENATED_SEPTETS);
}
