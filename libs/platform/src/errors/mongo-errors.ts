const DUPLICATE_KEY = 11000;

/** What FerretDB v1 passes through from its backend on findAndModify, SQLite's and PostgreSQL's. */
const BACKEND_DUPLICATE_KEY = /UNIQUE constraint failed|duplicate key value violates unique constraint|SQLSTATE 23505/;

/**
 * MongoDB reports a unique-index clash as code 11000. FerretDB v1 does so on insert,
 * but on findAndModify it passes its backend's text through instead.
 */
export function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === DUPLICATE_KEY || (typeof message === 'string' && BACKEND_DUPLICATE_KEY.test(message));
}
