import { Controller, Get } from '@nestjs/common';
import { ApiAuthenticated, ApiCommonErrors } from '../http/api-errors';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { EmptyRequest, pings, PingResponse, RpcContract } from '@shop/contracts';
import { RpcClient, ShopError } from '@shop/platform';

const PING_TIMEOUT_MS = 2000;

export class ServiceStatus {
  @ApiProperty({ enum: ['up', 'timeout', 'error'], example: 'up' })
  status!: 'up' | 'timeout' | 'error';

  @ApiProperty({ example: 4, description: 'Round trip over Kafka, in milliseconds' })
  roundTripMs!: number;

  @ApiPropertyOptional({ example: 'user-service-host-4242', description: 'The replica that answered' })
  instance?: string;

  @ApiPropertyOptional({ example: 'RPC_TIMEOUT' })
  code?: string;
}

export class SystemStatus {
  @ApiProperty({ example: 'ok', enum: ['ok', 'degraded'] })
  status!: 'ok' | 'degraded';

  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ServiceStatus' }, example: { 'user-service': { status: 'up', roundTripMs: 4, instance: 'user-service-host-4242' } } })
  services!: Record<string, ServiceStatus>;
}

@ApiTags('status')
@ApiCommonErrors()
@ApiAuthenticated()
@ApiExtraModels(ServiceStatus)
@Controller('api/status')
export class StatusController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'A quick map of the system', description: `Pings every service over Kafka at once; a service that does not answer within ${PING_TIMEOUT_MS} ms is reported as timeout.` })
  @ApiOkResponse({ type: SystemStatus })
  async status(): Promise<SystemStatus> {
    const entries = await Promise.all(pings().map(async ({ service, contract }) => [service, await this.ping(contract)] as const));
    const services = Object.fromEntries(entries);
    return { status: entries.every(([, s]) => s.status === 'up') ? 'ok' : 'degraded', services };
  }

  private async ping(contract: RpcContract<EmptyRequest, PingResponse>): Promise<ServiceStatus> {
    const started = performance.now();
    const roundTripMs = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      const answer = await this.rpc.send(contract, {}, { timeoutMs: PING_TIMEOUT_MS });
      return { status: 'up', roundTripMs: roundTripMs(), instance: answer.instance };
    } catch (error) {
      const code = error instanceof ShopError ? error.code : 'INTERNAL_ERROR';
      return { status: code === 'RPC_TIMEOUT' ? 'timeout' : 'error', roundTripMs: roundTripMs(), code };
    }
  }
}
