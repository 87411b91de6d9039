import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiGatewayTimeoutResponse, ApiResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { ErrorResponse } from '@shop/contracts';

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
