import { IsEmail, IsOptional, Length } from 'class-validator';
import { ServiceConfig } from '@shop/platform';

/** user-service's environment: the platform's, plus the accounts it makes sure exist. */
export class UserServiceConfig extends ServiceConfig {
  /** The admin account created at boot when ADMIN_PASSWORD is set. */
  @IsEmail()
  ADMIN_EMAIL: string = 'admin@example.com';

  /** Creates ADMIN_EMAIL as an admin at boot if no user has that email yet; never changes an existing account. */
  @IsOptional()
  @Length(10, 128, { message: 'ADMIN_PASSWORD must be 10 to 128 characters' })
  ADMIN_PASSWORD?: string;

  /** Creates the Swagger examples' customer (demo@example.com, the example user id) the same way. */
  @IsOptional()
  @Length(10, 128, { message: 'DEMO_PASSWORD must be 10 to 128 characters' })
  DEMO_PASSWORD?: string;
}
