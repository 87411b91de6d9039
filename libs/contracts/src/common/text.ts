/**
 * JavaScript's whitespace (what `String.prototype.trim` removes), spelled out: `\s` means
 * other things to other regex engines (Python's includes \x1c-\x1f), and the OpenAPI
 * document hands this pattern to them.
 */
const SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * Text that neither starts nor ends with whitespace, and so is not blank. Names are taken
 * as sent or refused, never trimmed silently: what the document says is what is stored.
 */
export const TRIMMED = new RegExp(`^[^${SPACE}]([\\s\\S]*[^${SPACE}])?$`);

export const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);
