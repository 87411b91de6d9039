import { Injectable } from '@nestjs/common';
import { UserResponse } from '@shop/contracts';
import { KafkaServerRef, OwnedCache } from '@shop/platform';

/**
 * The users this replica owns, as user.get answers them (OwnedCache): user.get, user.update
 * and user.delete are keyed by the user id, so this replica's own writes are the only
 * writes of its users. The order saga asks user.get for every order.
 */
@Injectable()
export class UserCache extends OwnedCache<UserResponse> {
  constructor(server: KafkaServerRef) {
    super(server);
  }
}
