import type { Principal } from '@shop/contracts';
import { AsyncLocalStorage } from 'node:async_hooks';
export interface RequestContext {
  requestId: string;
  /** The Kafka pattern being handled, named on its reply. */
  pattern?: string;
  /** The caller the gateway authenticated; absent when the system acts by itself. */
  principal?: Principal;
  /** The message arrived after its caller stopped waiting (see RpcContract.whenLate). */
  late?: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * The request id (and caller) of the HTTP call or Kafka message being handled,
 * wherever the code is: log lines and outgoing Kafka messages read them from here,
 * so no call site has to pass them along.
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
  principal(): Principal | undefined {
    return storage.getStore()?.principal;
  },
  isLate(): boolean {
    return storage.getStore()?.late === true;
  },
};
