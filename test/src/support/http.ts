/** A small JSON client for the gateway: whole responses, so tests can assert whole bodies. */
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  ms: number;
}

/** `token`: sent as `Authorization: Bearer <token>` on every call (a call's own Authorization header wins). */
export function client(baseUrl: string, token?: string) {
  async function call<T = any>(method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
    const own = Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === 'authorization');
    const headers: Record<string, string> = { ...(token && !own && { authorization: `Bearer ${token}` }), ...options.headers };
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const started = performance.now();
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    const ms = performance.now() - started;
    let body: unknown = text;
    if (text.length > 0 && (response.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: body as T, ms };
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, { headers }),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, { body, headers }),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('PATCH', path, { body, headers }),
    delete: <T = any>(path: string, headers?: Record<string, string>) => call<T>('DELETE', path, { headers }),
    raw: <T = any>(method: string, path: string, raw: string, headers?: Record<string, string>) => call<T>(method, path, { raw, headers }),
  };
}

export type Client = ReturnType<typeof client>;

/** A unique email per call, so tests sharing one database never collide. */
export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const OBJECT_ID = /^[0-9a-f]{24}$/;

/** A well-formed id no record has (the Swagger examples' ids exist on every stack: user-service creates the demo customer). */
export const UNKNOWN_ID = '0000000000000000000000ff';

/** Every order the client may list (of `userId` when given), all pages. */
export async function allOrders<T = any>(api: Client, userId?: string): Promise<T[]> {
  const orders: T[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (await api.get(`/api/orders?${userId ? `userId=${userId}&` : ''}limit=100&offset=${offset}`)).body;
    orders.push(...page.items);
    if (offset + 100 >= page.total) return orders;
  }
}
