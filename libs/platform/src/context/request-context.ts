import { AsyncLocalStorage } from 'node:async_hooks';
export interface RequestContext {
  requestId: string;
  /** The Kafka pattern being handled, named on its reply. */
  pattern?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * The request id of the HTTP call or Kafka message being handled, wherever the code
 * is: log lines and outgoing Kafka messages read it from here, so no call site has
 * to pass it along.
 */
export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
};
