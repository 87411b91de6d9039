import { applyDecorators, SetMetadata } from '@nestjs/common';

/** Metadata the gateway's guards read: a route anyone may call without a token. */
export const PUBLIC_ROUTE = 'shop:public';
/** Metadata the gateway's rate limiter reads: a route it never limits. */
export const UNLIMITED_ROUTE = 'shop:unlimited';

/** A route (or controller) that needs no token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * Health and metrics: public, and never rate limited, so probes and Prometheus scrapes
 * keep working whatever a client does.
 */
export const OperationsEndpoint = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), SetMetadata(UNLIMITED_ROUTE, true));
