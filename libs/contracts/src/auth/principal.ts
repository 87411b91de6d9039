/** The roles a caller can have: a customer acts for itself, an admin for anyone. */
export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/**
 * Who caused a message: the gateway verifies the caller's token and sends this on every
 * Kafka message the call causes (the x-user-id and x-user-role headers). A message
 * without one was caused by the system itself (a saga step, an event), not by a caller.
 */
export interface Principal {
  id: string;
  role: Role;
}
