import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorResponse } from '@shop/contracts';
import { ApiCommonErrors, ApiError } from './api-errors';

/** Where @nestjs/swagger keeps the responses it documents for a class or a route. */
const API_RESPONSE = 'swagger/apiResponse';

@ApiCommonErrors()
class DocumentedController {
  @ApiError(409, 'USER_EMAIL_TAKEN')
  create() {}
}

describe('ApiCommonErrors', () => {
  it('documents 400, 413, 415, 429, 503 and 504 with the one error body on every route of the controller', () => {
    assert.deepEqual(Reflect.getMetadata(API_RESPONSE, DocumentedController), {
      400: { type: ErrorResponse, isArray: false, description: 'VALIDATION_FAILED (each bad field in details) or MALFORMED_JSON' },
      413: { type: ErrorResponse, isArray: false, description: 'PAYLOAD_TOO_LARGE: the body is over 1mb' },
      415: { type: ErrorResponse, isArray: false, description: 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json' },
      429: { type: ErrorResponse, isArray: false, description: 'RATE_LIMITED: wait the seconds in Retry-After' },
      503: { type: ErrorResponse, isArray: false, description: 'KAFKA_UNAVAILABLE, or OVERLOADED: too busy to answer in time (wait the seconds in Retry-After)' },
      504: { type: ErrorResponse, isArray: false, description: 'RPC_TIMEOUT: the service did not answer in time' },
    });
  });
});

describe('ApiError', () => {
  it('documents one status of one route with the one error body', () => {
    assert.deepEqual(Reflect.getMetadata(API_RESPONSE, DocumentedController.prototype.create), {
      409: { type: ErrorResponse, isArray: false, description: 'USER_EMAIL_TAKEN' },
    });
  });
});
