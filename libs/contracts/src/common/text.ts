/**
 * JavaScript's whitespace (what `String.prototype.trim` removes), spelled out: `\s` means
 * other things to other regex engines (Python's includes \x1c-\x1f), and the OpenAPI
 * document hands this pattern to them.
 */
const SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * U+0000, which no stored text may hold: PostgreSQL (under FerretDB, the native stack's
 * database) cannot store it in a JSON document and would answer a 500.
 */
const NUL = '\\u0000';

/**
 * Text that neither starts nor ends with whitespace, and so is not blank, with no NUL.
 * Names are taken as sent or refused, never trimmed silently: what the document says is what is stored.
 */
export const TRIMMED = new RegExp(`^[^${SPACE}${NUL}]([^${NUL}]*[^${SPACE}${NUL}])?$`);

/** Any text without a NUL (U+0000). */
export const NO_NUL = new RegExp(`^[^${NUL}]*$`);

export const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
