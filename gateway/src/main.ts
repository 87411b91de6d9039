import { bootstrap } from '@shop/platform';
import { AppModule } from './app.module';
import { configureHttp } from './http/http.setup';

bootstrap(AppModule, { consumesRequests: false, configure: configureHttp, nestOptions: { bodyParser: false } });
