import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { problemOf } from '../../infra/http/openapi.js';
import { decodeCursor, listQuery, pageReply, toPage } from '../../lib/pagination.js';
import { principalOf } from './guard.js';
import {
  CreateUserBody,
  LoginBody,
  LoginReply,
  RefreshBody,
  RegisterBody,
  RegisterReply,
  TokenReply,
  UserIdParams,
  UserPatchBody,
  UserSchema,
} from './schema.js';
import type { AuthService } from './service.js';

const lastAdmin = problemOf('conflict', 'it would leave the tenant without an admin');

/** /api/auth/* and /api/users: thin adapters over the auth service. */
export function authRoutes(app: FastifyInstance, auth: AuthService): void {
  // Route types come from the TypeBox schemas (no hand-written generics).
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/api/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a tenant and its first admin (limited per client address)',
        body: RegisterBody,
        response: {
          201: RegisterReply,
          ...problemOf('conflict', 'the email is taken'),
          ...problemOf('rate_limited', 'too many registrations from this address; see Retry-After'),
        },
      },
    },
    async (req, reply) => reply.code(201).send(await auth.register(req.body, req.ip)),
  );

  api.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in; failed attempts are limited per account, address and both (429 + Retry-After)',
        body: LoginBody,
        response: {
          200: LoginReply,
          ...problemOf('unauthorized', 'bad credentials'),
          ...problemOf('rate_limited', 'too many failed logins; see Retry-After'),
        },
      },
    },
    async (req) => auth.login(req.body, req.ip),
  );

  api.post(
    '/api/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for new tokens (single use; reuse revokes the session)',
        body: RefreshBody,
        response: { 200: TokenReply, ...problemOf('unauthorized', 'unknown, spent or expired refresh token') },
      },
    },
    async (req) => auth.refresh(req.body.refreshToken),
  );

  api.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke the presented refresh token',
        body: RefreshBody,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await auth.logout(req.body.refreshToken);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Add a user to your tenant',
        body: CreateUserBody,
        response: { 201: UserSchema, ...problemOf('conflict', 'the email is taken') },
      },
    },
    async (req, reply) => {
      const { tenantId } = principalOf(req);
      return reply.code(201).send(await auth.createUser(tenantId, req.body.email, req.body.password, req.body.role));
    },
  );

  api.get(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['users'],
        summary: "List your tenant's users",
        querystring: listQuery({}),
        response: { 200: pageReply(UserSchema) },
      },
    },
    async (req) => {
      const { tenantId } = principalOf(req);
      const rows = await auth.listUsers(tenantId, req.query.limit + 1, decodeCursor(req.query.cursor));
      return toPage(rows, req.query.limit);
    },
  );

  api.patch(
    '/api/users/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['users'],
        summary: "Change a user's role",
        description:
          'The user keeps working with tokens stating at most the new role; tokens stating a higher role stop ' +
          'working on every replica within seconds. 409 when it would leave the tenant without an admin.',
        params: UserIdParams,
        body: UserPatchBody,
        response: { 200: UserSchema, ...lastAdmin },
      },
    },
    async (req) => auth.setRole(principalOf(req), req.params.id, req.body.role),
  );

  api.delete(
    '/api/users/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Delete a user',
        description:
          "The user's refresh tokens are deleted with it and its access tokens stop working on every replica " +
          'within seconds. 409 when it is the tenant’s last admin.',
        params: UserIdParams,
        response: { 204: Type.Null(), ...lastAdmin },
      },
    },
    async (req, reply) => {
      await auth.deleteUser(principalOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
