import { bootstrap } from '@shop/platform';
import { AppModule } from './app.module';

bootstrap(AppModule, { consumesRequests: true });
