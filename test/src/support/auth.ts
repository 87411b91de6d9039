import { DEV_JWT_SECRET, EXAMPLE_ACCOUNTS, Role } from '@shop/contracts';
import { createHash, createHmac } from 'node:crypto';
import { client, Client, uniqueEmail } from './http';

/** The admin user-service creates at boot (ADMIN_PASSWORD): its id is derived from its email. */
export const ADMIN = {
  id: createHash('sha256').update(`account:${EXAMPLE_ACCOUNTS.admin.email}`).digest('hex').slice(0, 24),
  ...EXAMPLE_ACCOUNTS.admin,
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A JWT built by hand, so tests can make the tokens an attacker would (another secret,
 * `alg: none`, expired) as well as good ones. Defaults: HS256 with the dev secret the
 * test stacks run with, valid for an hour.
 */
export function jwt(claims: Record<string, unknown>, options: { secret?: string; header?: Record<string, unknown>; signature?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64(options.header ?? { alg: 'HS256', typ: 'JWT' });
  const body = b64({ iat: now, exp: now + 3600, ...claims });
  const signature = options.signature ?? createHmac('sha256', options.secret ?? DEV_JWT_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** A token the gateway accepts for this user and role, without a login (logins are limited to 5 a minute per email). */
export function tokenFor(id: string, role: Role): string {
  return jwt({ sub: id, role });
}

/** A client that calls as the stack's admin. */
export function asAdmin(baseUrl: string): Client {
  return client(baseUrl, tokenFor(ADMIN.id, 'admin'));
}

/** Logs in through the API and answers a client carrying the token. */
export async function login(baseUrl: string, email: string, password: string): Promise<Client> {
  const res = await client(baseUrl).post('/api/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login as ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return client(baseUrl, res.body.accessToken);
}

/** A new customer, registered and logged in through the API: its user and a client calling as it. */
export async function newCustomer(baseUrl: string, tag = 'customer'): Promise<{ user: { id: string; email: string; role: Role }; api: Client; password: string }> {
  const email = uniqueEmail(tag);
  const password = `pw-${Math.random().toString(36).slice(2)}-long`;
  const res = await client(baseUrl).post('/api/auth/register', { email, name: `Customer ${tag}`, password });
  if (res.status !== 201) throw new Error(`register ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { user: res.body, api: await login(baseUrl, email, password), password };
}

/** The body of a user an admin creates in a test: a unique email and a valid password. */
export function newUserBody(tag = 'user', extra: Record<string, unknown> = {}) {
  return { email: uniqueEmail(tag), name: `User ${tag}`, password: 'correct-horse-battery', ...extra };
}

/** A password that passes the rules, for users tests create. */
export const PASSWORD = 'correct-horse-battery';
