import { HEADERS, isRole, Principal } from '@shop/contracts';

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export function principalHeaders(principal: Principal | undefined): Record<string, string> {
  return principal ? { [HEADERS.USER_ID]: principal.id, [HEADERS.USER_ROLE]: principal.role } : {};
}

/**
 * The caller named by a message's headers. A role this version does not know counts as
 * `customer`, the least a named caller may do: a bad header never grants more.
 */
export function principalFrom(headers: Record<string, HeaderValue>): Principal | undefined {
  const id = headerText(headers[HEADERS.USER_ID]);
  if (!id) return undefined;
  const role = headerText(headers[HEADERS.USER_ROLE]);
  return { id, role: isRole(role) ? role : 'customer' };
}

export function headerText(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
