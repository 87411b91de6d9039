/** The shape of an entry in the contract maps (patterns.ts): what a message carries, who sends it, who answers. */

/** The services; each answers the patterns whose `service` names it. */
export const SERVICES = ['user-service', 'product-service', 'order-service'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** Every app that talks over Kafka. */
export type AppName = 'gateway' | ServiceName;

type Class<T> = new (...args: never[]) => T;

/** A request that carries nothing (pings). */
export type EmptyRequest = Record<string, never>;

/**
 * One request-reply pattern. `Req` and `Res` are the types on the wire: `send(contract,
 * request)` takes a `Req`, resolves with a `Res`, and derives the message key from
 * the request, so no caller can forget it.
 */
export interface RpcContract<Req = unknown, Res = unknown> {
  /** The topic the requests go to (dotted lowercase `<domain>.<action>`). */
  readonly pattern: string;
  readonly service: ServiceName;
  /** The class the service validates the request against (none: the request carries nothing). */
  readonly request?: Class<Req>;
  /** The reply, as the catalogue names it. */
  readonly reply: string;
  /**
   * The message key: requests with the same key go to one partition, so one consumer
   * handles them in order. None: the producer spreads the requests over the partitions.
   */
  readonly key?: { readonly name: string; readonly of: (request: Req) => string };
  /**
   * `read` changes nothing: a service may answer several of one partition at once (a lost
   * one is only a timeout for its caller, who may ask again). A `write` is handled in
   * partition order among the messages of its key, and committed only once handled.
   */
  readonly kind: 'read' | 'write';
  /**
   * A request that reaches its service after its caller stopped waiting: `skip` it
   * (default: nobody reads the answer, and a service back from an outage does not act on
   * a backlog), or hand it to its handler all the same (`handle`), which knows it is late
   * (`requestContext.isLate()`): for a request whose work may have begun before a crash (a
   * redelivery), which only its handler can settle.
   */
  readonly whenLate?: 'skip' | 'handle';
  /** The apps that wait for the answer, each on its own `<app>.replies` topic. */
  readonly callers: readonly AppName[];
  /** The apps that send it as a one-way command, waiting for no answer. */
  readonly commanders?: readonly AppName[];
  /** The service's liveness round trip (GET /api/status). */
  readonly ping?: true;
  /** What it is for (the route or step that sends it). */
  readonly description: string;
  /** Carries the reply type for `send`; never set. */
  readonly __reply?: Res;
}

/** One fire-and-forget event: the entity id as key. */
export interface EventContract<Payload = unknown> {
  readonly topic: string;
  /** The class consumers validate the payload against, or the payload described. */
  readonly payload: Class<Payload> | string;
  readonly key: { readonly name: string; readonly of: (payload: Payload) => string };
  readonly producers: readonly AppName[];
  /** Who consumes it and what they do with it. */
  readonly consumers: readonly { readonly app: AppName; readonly does: string }[];
  readonly description: string;
}

/** Declares a pattern; the type parameters are the request and the reply. */
export function rpc<Req, Res>(contract: Omit<RpcContract<Req, Res>, '__reply'>): RpcContract<Req, Res> {
  return contract;
}

/** Declares an event; the type parameter is the payload. */
export function event<Payload>(contract: EventContract<Payload>): EventContract<Payload> {
  return contract;
}

/** The liveness pattern of a service: `<domain>.ping`, answered without the database. */
export function ping<Res>(domain: string, service: ServiceName): RpcContract<EmptyRequest, Res> {
  return { pattern: `${domain}.ping`, service, reply: 'PingResponse', kind: 'read', callers: ['gateway'], ping: true, description: 'GET /api/status' };
}

export type RequestOf<C> = C extends RpcContract<infer Req, unknown> ? Req : never;
export type ReplyOf<C> = C extends RpcContract<never, infer Res> ? Res : never;

/** Any pattern, whatever it carries (for lists of contracts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRpcContract = RpcContract<any, unknown>;
/** Any event, whatever it carries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventContract = EventContract<any>;
