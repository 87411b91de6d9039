const DUPLICATE_KEY = 11000;

/**
 * MongoDB reports a unique-index clash as code 11000. FerretDB v1 does so on insert,
 * but on findAndModify it passes SQLite's text through instead.
 */
export function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === DUPLICATE_KEY || (typeof message === 'string' && message.includes('UNIQUE constraint failed'));
}
