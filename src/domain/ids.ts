// Resource IDs: a type prefix, then 12 hex digits of milliseconds and 16 of
// randomness, so IDs sort by creation time and serve as pagination cursors.
import { randomBytes } from 'node:crypto';

export function newId(prefix: string, at: Date = new Date()): string {
  const time = at.getTime().toString(16).padStart(12, '0');
  return `${prefix}_${time}${randomBytes(8).toString('hex')}`;
}
