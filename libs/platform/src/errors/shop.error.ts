import { ERROR_CODES, FieldError, WireError } from '@shop/contracts';

/**
 * The one error this system throws on purpose. It crosses Kafka as its wire shape and
 * becomes the HTTP status and body of the same name at the gateway.
 */
export class ShopError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ShopError';
  }

  static fromWire(wire: WireError): ShopError {
    return new ShopError(wire.statusCode, wire.code, wire.message, wire.details);
  }

  toWire(): WireError {
    return this.details === undefined
      ? { statusCode: this.statusCode, code: this.code, message: this.message }
      : { statusCode: this.statusCode, code: this.code, message: this.message, details: this.details };
  }

  static validation(fields: FieldError[]): ShopError {
    const names = fields.map((f) => f.field).join(', ');
    return new ShopError(400, ERROR_CODES.VALIDATION_FAILED, `Invalid input: ${names}`, fields);
  }

  static notFound(code: string, what: string, id: string): ShopError {
    return new ShopError(404, code, `${what} ${id} does not exist`);
  }
}
