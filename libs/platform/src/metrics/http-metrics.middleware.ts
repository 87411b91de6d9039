import type { NextFunction, Request, Response } from 'express';
import { httpDuration, httpInFlight } from './metrics';

/**
 * Times every HTTP call by its route template (`/api/users/:id`, not the id), including
 * those answered before routing (bad JSON, too large): those count as `unmatched`.
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  httpInFlight.inc();
  res.once('finish', () => {
    httpInFlight.dec();
    const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}
