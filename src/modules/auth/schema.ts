import { Type, type Static } from '@sinclair/typebox';

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const Password = Type.String({ minLength: 12, maxLength: 128 });
export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('editor'), Type.Literal('viewer')]);

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: RoleSchema,
  tenantId: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const Tokens = {
  token: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'Access-token lifetime in seconds' }),
};

export const RegisterBody = Type.Object(
  { email: Email, password: Password, organization: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const RegisterReply = Type.Object({
  user: UserSchema,
  tenant: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
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
  user: Type.Object({ id: Type.String(), email: Type.String(), role: RoleSchema, tenantId: Type.String() }),
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

export const UserIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export type UserIdParams = Static<typeof UserIdParams>;

export const UserPatchBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export type UserPatchBody = Static<typeof UserPatchBody>;
