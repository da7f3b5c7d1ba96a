import { Type, type Static } from '@sinclair/typebox';
import { literals } from '../../lib/typebox.js';

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 12, maxLength: 128 });
const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
const Timestamp = Type.String({ format: 'date-time', maxLength: 32 });
export const RoleSchema = literals(['admin', 'editor', 'viewer'] as const);

export const UserSchema = Type.Object({
  id: Uuid,
  email: Type.String({ maxLength: 254 }),
  role: RoleSchema,
  tenantId: Uuid,
  createdAt: Timestamp,
});

const Tokens = {
  token: Type.String({ maxLength: 4096 }),
  refreshToken: Type.String({ maxLength: 512 }),
  expiresIn: Type.Integer({ description: 'Access-token lifetime in seconds' }),
};

export const RegisterBody = Type.Object(
  { email: Email, password: Password, organization: Type.String({ minLength: 1, maxLength: 200 }) },
  {
    additionalProperties: false,
    examples: [{ email: 'me@example.com', password: 'a long passphrase', organization: 'Example' }],
  },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const RegisterReply = Type.Object({
  user: UserSchema,
  tenant: Type.Object({ id: Uuid, name: Type.String({ maxLength: 200 }) }),
  ...Tokens,
});

export const LoginBody = Type.Object(
  // Login does not re-check password length: a wrong password is a 401, not a 400.
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginReply = Type.Object({
  ...Tokens,
  user: Type.Object({ id: Uuid, email: Type.String({ maxLength: 254 }), role: RoleSchema, tenantId: Uuid }),
});

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBody>;
export const TokenReply = Type.Object(Tokens);

export const CreateUserBody = Type.Object(
  { email: Email, password: Password, role: RoleSchema },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UserIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type UserIdParams = Static<typeof UserIdParams>;

export const UserPatchBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export type UserPatchBody = Static<typeof UserPatchBody>;
