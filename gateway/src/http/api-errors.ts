import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiGatewayTimeoutResponse, ApiParam, ApiResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { ErrorResponse, EXAMPLE_IDS } from '@shop/contracts';

/** The errors every route can answer, documented once. */
export function ApiCommonErrors() {
  return applyDecorators(
    ApiBadRequestResponse({ type: ErrorResponse, description: 'VALIDATION_FAILED (each bad field in details) or MALFORMED_JSON' }),
    ApiGatewayTimeoutResponse({ type: ErrorResponse, description: 'RPC_TIMEOUT: the service did not answer in time' }),
    ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'KAFKA_UNAVAILABLE' }),
  );
}

export function ApiError(status: number, description: string) {
  return ApiResponse({ status, type: ErrorResponse, description });
}

/** The `{id}` path parameter of a route, with an example that exists on a freshly seeded stack. */
export function ApiIdParam(entity: keyof typeof EXAMPLE_IDS) {
  return ApiParam({ name: 'id', description: `The ${entity}'s id (24 hex characters)`, example: EXAMPLE_IDS[entity] });
}
