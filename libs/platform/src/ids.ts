import { createHash, randomBytes } from 'node:crypto';

/** A new ObjectId as 24 hex characters (4-byte seconds, 8 random bytes), without a driver. */
export function newObjectId(): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}

/** The same 24-hex id for the same text: an Idempotency-Key always names the same order. */
export function objectIdFrom(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** A stable hash of a JSON value (object keys sorted), to recognise the same request again. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
