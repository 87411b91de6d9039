import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ROLES, Role } from '@shop/contracts';
import { HydratedDocument } from 'mongoose';

@Schema({ collection: 'users', timestamps: true, versionKey: false })
export class User {
  @Prop({ required: true, unique: true, lowercase: true, trim: true })
  email!: string;

  @Prop({ required: true, trim: true })
  name!: string;

  @Prop({ required: true, enum: ROLES, default: 'customer' })
  role!: Role;

  /**
   * scrypt hash (see password.ts). Not `select: false`: FerretDB refuses the projection
   * that adds to findAndModify; reads leave it out with WITHOUT_PASSWORD and
   * toUserResponse never copies it.
   */
  @Prop()
  passwordHash?: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export type UserDocument = HydratedDocument<User>;
export const UserSchema = SchemaFactory.createForClass(User);

/** The projection every read that answers a user uses. */
export const WITHOUT_PASSWORD = { passwordHash: 0 } as const;
