// First: tracing (when on) patches http and mongodb before anything loads them.
import '@shop/telemetry';
import { bootstrap } from '@shop/platform';
import { AppModule } from './app.module';
import { BODY_LIMIT_BYTES } from './http/api-errors';
import { configureHttp } from './http/http.setup';

bootstrap(AppModule, { consumesRequests: false, configure: configureHttp, nestOptions: { bodyParser: false }, fastify: { bodyLimit: BODY_LIMIT_BYTES } });
