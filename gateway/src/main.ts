// First: tracing (when on) patches http, express and mongodb before anything loads them.
import '@shop/telemetry';
import { bootstrap } from '@shop/platform';
import { AppModule } from './app.module';
import { configureHttp } from './http/http.setup';

bootstrap(AppModule, { consumesRequests: false, configure: configureHttp, nestOptions: { bodyParser: false } });
