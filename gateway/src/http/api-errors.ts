import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponse, EXAMPLE_IDS } from '@shop/contracts';

/** The largest JSON body the gateway reads, as the document says it and in bytes (Fastify's bodyLimit). */
export const BODY_LIMIT = '1mb';
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The errors every route can answer, documented once. */
export function ApiCommonErrors() {
  return applyDecorators(
    ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED (each bad field in details) or MALFORMED_JSON' }),
    ApiPayloadTooLargeResponse({ type: ErrorResponse, description: `PAYLOAD_TOO_LARGE: the body is over ${BODY_LIMIT}` }),
    ApiUnsupportedMediaTypeResponse({ type: ErrorResponse, description: 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json' }),
    ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'RATE_LIMITED: wait the seconds in Retry-After' }),
    ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'RPC_TIMEOUT: the service did not answer in time' }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'KAFKA_UNAVAILABLE, or OVERLOADED: too busy to answer in time (wait the seconds in Retry-After)' }),
  );
}

/** A route that needs a bearer token; `forbidden` says who gets 403 FORBIDDEN. */
export function ApiAuthenticated(forbidden?: string) {
  return applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorResponse, description: 'UNAUTHENTICATED: no token, or one that is malformed, expired or not ours' }),
    ...(forbidden ? [ApiForbiddenResponse({ type: ErrorResponse, description: `FORBIDDEN: ${forbidden}` })] : []),
  );
}

export function ApiError(status: number, description: string) {
  return ApiResponse({ status, type: ErrorResponse, description });
}

/** The `{id}` path parameter of a route, with an example that exists on a freshly seeded stack. */
export function ApiIdParam(entity: keyof typeof EXAMPLE_IDS) {
  return ApiParam({ name: 'id', description: `The ${entity}'s id (24 hex characters)`, example: EXAMPLE_IDS[entity] });
}
