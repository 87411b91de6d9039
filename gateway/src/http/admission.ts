import { CanActivate, ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ERROR_CODES } from '@shop/contracts';
import { pathOf, ShopError, UNLIMITED_ROUTE } from '@shop/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayConfig } from '../config';

/** How far back the answers per second of a route are counted. */
const WINDOW_MS = 2000;
/**
 * Answers (since the route went busy) from which a route is judged by its answers per
 * second. Before that there is nothing to judge by and calls go in, up to
 * UNJUDGED_IN_FLIGHT at once: a burst that arrives at once (100 orders, 160 reads on one
 * gateway) goes in whole before its first answers could judge it (with 10, the first
 * answers of 100 racing orders came back while the last were arriving, and refused 45 of
 * them), and a flood cannot queue more than that before it is judged. Once the route has
 * had to refuse a call, it is judged by the answers it has, however few, until it is idle.
 */
const MIN_ANSWERS = 20;
const UNJUDGED_IN_FLIGHT = 256;
/**
 * In the first BURST_MS of a busy spell, and until the route has refused a call in it, a
 * call is refused only when its wait would pass twice the budget (at the default, the RPC
 * timeout itself); from then on, the budget. A burst's last calls are judged on the rate of
 * its first second, the lowest it shows (Kafka's batches grow with the queue, and a race's
 * last calls are quick refusals): in fresh-clone CIs, the last of 100 racing orders to reach
 * the gateway were refused at 2.50-2.59 s against the 2.5 s budget, and, with a quarter of
 * slack, at 3.54-3.56 s, while the calls admitted just before them were answered in 0.9-2.2
 * and 0.8-2.3 s. The budget stays strict otherwise: in an order flood the wait of a judged
 * call came out at 0.89 of its estimate at the median and up to 2.2 times it (192 calls, one
 * local orders e2e), and the overload e2e allows no timeout after the first refusal.
 */
const BURST_SLACK = 2;
/**
 * For how long after a route goes busy BURST_SLACK holds: a burst's calls reached the
 * gateway within 1.1 s in every log read (at most 1,066 ms, in a fresh-clone CI on a slow box).
 * A flood past it is judged by the budget itself: with the slack for as long as it took to
 * refuse, a slow run's flood was first refused 3.4 s in, after 285 calls, 108 of which
 * timed out (with the budget alone, 34-44 in the slow runs).
 */
const BURST_MS = 1500;
/** A refused caller is asked back within this, however long the queue looks from few answers. */
const MAX_RETRY_AFTER_S = 30;

export type Verdict = { admitted: true } | { admitted: false; retryAfterSeconds: number; expectedWaitMs?: number };

/**
 * One route's admission control. By Little's law a call that joins now waits about
 * (calls in flight + 1) / (answers per second) for its own answer; when that passes the
 * budget, the call is refused at once instead of joining a queue it would leave with a
 * 504 after the whole RPC timeout. Answers per second are counted over the last 2 s, or
 * from the first answer since the route last had no call in flight if that is later (see
 * answersPerMs): a quiet route's few answers tell its demand, not its capacity.
 */
export class RouteAdmission {
  private inFlight = 0;
  /** When the route last went from no call in flight to one: its answers count from then. */
  private busySince = 0;
  /** When the first call of this busy spell was answered (undefined: none yet). */
  private firstAnswerAt: number | undefined;
  /**
   * Whether the route refused a call since it went busy. From then on it is judged by the
   * answers it has, however few: a slow machine's flood, refused at first for a call that
   * waited past the budget (or for a full queue), otherwise let one more call join a queue
   * of hundreds for each answer, and those timed out.
   */
  private refusedWhileBusy = false;
  /** Times of the answers in the window, oldest first. */
  private readonly answers: number[] = [];
  /** When the calls in flight were admitted, oldest first (taken as leaving in that order). */
  private readonly admittedAt: number[] = [];

  constructor(
    private readonly budgetMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  enter(): Verdict {
    const now = this.now();
    if (this.inFlight === 0) {
      this.busySince = now;
      this.firstAnswerAt = undefined;
      this.refusedWhileBusy = false;
      // Answers of the last spell, even one in this very millisecond, are not this one's.
      this.answers.length = 0;
    }
    // Answers per second while busy: the quiet before a burst says nothing of the capacity.
    const since = Math.max(now - WINDOW_MS, this.busySince);
    while (this.answers.length > 0 && this.answers[0] < since) this.answers.shift();
    const verdict = this.judge(now, since);
    if (!verdict.admitted) {
      this.refusedWhileBusy = true;
      return verdict;
    }
    this.inFlight++;
    this.admittedAt.push(now);
    return verdict;
  }

  private judge(now: number, since: number): Verdict {
    if (this.answers.length >= MIN_ANSWERS || this.refusedWhileBusy) {
      // No answer at all since the route went busy, or in the last 2 s: nothing leaves the queue.
      if (this.answers.length === 0) return { admitted: false, retryAfterSeconds: 1 };
      // To the millisecond: a rate measured between answers is a ratio of uneven times.
      const expectedWaitMs = Math.round((this.inFlight + 1) / this.answersPerMs(now, since));
      const burst = !this.refusedWhileBusy && now - this.busySince <= BURST_MS;
      if (expectedWaitMs > (burst ? this.budgetMs * BURST_SLACK : this.budgetMs)) {
        // By then the calls in flight beyond the budget's worth have been answered.
        return { admitted: false, expectedWaitMs, retryAfterSeconds: retryAfter(expectedWaitMs - this.budgetMs) };
      }
    } else if (this.inFlight >= UNJUDGED_IN_FLIGHT) {
      return { admitted: false, retryAfterSeconds: 1 };
    } else if (this.admittedAt.length > 0 && now - this.admittedAt[0] > this.budgetMs) {
      // Too few answers to judge by, and a call has waited longer than the budget already:
      // a route this slow would keep a new call past it too.
      const waitedMs = now - this.admittedAt[0];
      return { admitted: false, expectedWaitMs: waitedMs, retryAfterSeconds: retryAfter(waitedMs - this.budgetMs) };
    }
    return { admitted: true };
  }

  /**
   * The answers per ms the route gives: over the window or, early in a busy spell, after its
   * first answer. The time the first answer took is the calls crossing the pipeline, not the
   * route answering slowly: counted, it lowers the rate of a burst's first second (first
   * answer at 0.3 s, 20 at 0.73 s: 27 a second where 44 came), and the last calls of the
   * burst to reach the gateway are judged on it. That time is still a bound: a route whose
   * first answers came together after 1 s, worked on side by side, is not credited with the
   * rate of that instant.
   */
  private answersPerMs(now: number, since: number): number {
    const answers = this.answers.length;
    const first = this.firstAnswerAt;
    if (first === undefined || first < since || answers < 2) return answers / Math.max(1, now - since);
    return Math.min((answers - 1) / Math.max(1, now - first), answers / Math.max(1, first - since));
  }

  /**
   * An admitted call is done. Only one answered from behind the gateway (`counted`, see
   * `served`) counts as capacity: a timeout, a failure that took the whole budget or a
   * client gone says nothing of how fast the route answers, and the 256 calls of an unjudged burst
   * timing out together, counted, would read as a route answering a hundred a second and
   * let hundreds more in to time out too.
   */
  leave(counted = true): void {
    this.inFlight--;
    // The oldest entry goes: were a younger call the one answered, the oldest age read here
    // is at most understated, and the rule above refuses later, never sooner.
    this.admittedAt.shift();
    if (!counted) return;
    const now = this.now();
    this.answers.push(now);
    this.firstAnswerAt ??= now;
  }
}

/** Seconds until `excessMs` of queue has been answered: at least 1, at most MAX_RETRY_AFTER_S. */
function retryAfter(excessMs: number): number {
  return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(excessMs / 1000)));
}

/**
 * Whether a call that ended was served from behind the gateway, and so counts as capacity:
 * answered, and not a failure that waited it out (a 504 after the RPC timeout, a 503 when
 * the broker, as starved as the rest, is slow to answer the gateway's check). A quick
 * failure still counts: the route did answer it.
 */
export function served(answered: boolean, statusCode: number, waitedMs: number, budgetMs: number): boolean {
  if (!answered) return false;
  return statusCode < 500 || (statusCode !== 504 && waitedMs < budgetMs);
}

/** The admission budget: ADMISSION_MAX_WAIT_MS, else half the RPC timeout (0: never refuse). */
export function admissionBudgetMs(config: Pick<GatewayConfig, 'ADMISSION_MAX_WAIT_MS' | 'RPC_TIMEOUT_MS'>): number {
  return config.ADMISSION_MAX_WAIT_MS ?? Math.round(config.RPC_TIMEOUT_MS / 2);
}

/**
 * Admission control for every /api route, each judged on its own (an overloaded order path
 * does not refuse product reads; asynchronous orders apart from the ones that wait): 503
 * OVERLOADED with Retry-After, in the time it takes to say so, for calls that would wait
 * longer than the budget. Health, metrics and docs are never refused. A guard, not an
 * interceptor: the call leaves when its response closes, answered, failed or abandoned, and
 * the gateway has no interceptor left, whose pipeline Nest binds to the async context of
 * every call (about 6 % of the gateway's CPU on product reads, a CPU profile). It runs
 * after the rate limiter and authentication (AdmissionModule is imported after AuthModule):
 * a call they refuse is not admitted, and its quick answer does not count as capacity.
 */
@Injectable()
export class AdmissionGuard implements CanActivate {
  private readonly routes = new Map<string, RouteAdmission>();
  private readonly budgetMs: number;

  constructor(
    config: GatewayConfig,
    private readonly reflector: Reflector,
  ) {
    this.budgetMs = admissionBudgetMs(config);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.budgetMs === 0 || context.getType() !== 'http' || this.reflector.getAllAndOverride<boolean>(UNLIMITED_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // A Prefer: respond-async order is answered at once: judged apart from the ones that wait.
    const async = /respond-async/i.test(String(request.headers.prefer ?? ''));
    const route = `${context.getClass().name}.${context.getHandler().name}${async ? ' async' : ''}`;
    const admission = this.admissionOf(route);
    const verdict = admission.enter();
    if (!verdict.admitted) {
      reply.header('Retry-After', String(verdict.retryAfterSeconds));
      throw new ShopError(503, ERROR_CODES.OVERLOADED, `Too busy to answer ${request.method} ${pathOf(request)} within ${this.budgetMs} ms; retry in ${verdict.retryAfterSeconds} s`, {
        retryAfterSeconds: verdict.retryAfterSeconds,
        ...(verdict.expectedWaitMs !== undefined && { expectedWaitMs: verdict.expectedWaitMs }),
      });
    }
    // 'close' comes once for every response, answered or abandoned by the client; one
    // abandoned before this guard ran has had it already.
    const admittedAt = Date.now();
    if (reply.raw.closed) admission.leave(false);
    else reply.raw.once('close', () => admission.leave(served(reply.raw.writableFinished, reply.statusCode, Date.now() - admittedAt, this.budgetMs)));
    return true;
  }

  private admissionOf(route: string): RouteAdmission {
    let admission = this.routes.get(route);
    if (!admission) this.routes.set(route, (admission = new RouteAdmission(this.budgetMs)));
    return admission;
  }
}

/** Admission as a global guard; imported after AuthModule, so that it runs after its guards (Nest runs global guards in the order it finds their modules). */
@Module({ providers: [{ provide: APP_GUARD, useClass: AdmissionGuard }] })
export class AdmissionModule {}
