import { Controller, Inject, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { PingResponse } from '@shop/contracts';
import { SERVICE_INFO, ServiceInfo } from './service-info';

/** A controller answering `pattern` with who answered: a round trip with no database. */
export function pingController(pattern: string): Type<unknown> {
  @Controller()
  class PingController {
    constructor(@Inject(SERVICE_INFO) private readonly info: ServiceInfo) {}

    @MessagePattern(pattern)
    ping(): PingResponse {
      return { service: this.info.name, instance: this.info.instance, at: new Date().toISOString() };
    }
  }
  return PingController;
}
