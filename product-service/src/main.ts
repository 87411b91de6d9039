// First: tracing (when on) patches http and mongodb before anything loads them.
import '@shop/telemetry';
import { bootstrap } from '@shop/platform';
import { AppModule } from './app.module';

bootstrap(AppModule, { consumesRequests: true });
