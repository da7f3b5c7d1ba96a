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
  UserSchema,
} from './schema.js';
import type { AuthService } from './service.js';

/** /api/auth/* and /api/users: thin adapters over the auth service. */
export function authRoutes(app: FastifyInstance, auth: AuthService): void {
  app.post<{ Body: RegisterBody }>(
    '/api/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Register an organization (a new tenant) and its first admin',
        body: RegisterBody,
        response: {
          201: RegisterReply,
          ...problemOf('conflict', 'the email is taken'),
          ...problemOf('rate_limited', 'too many registrations from this address; see Retry-After'),
        },
      },
    },
    async (req, reply) => reply.code(201).send(await auth.register(req.body)),
  );

  app.post<{ Body: LoginBody }>(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password',
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

  app.post<{ Body: RefreshBody }>(
    '/api/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new token pair (single use)',
        body: RefreshBody,
        response: { 200: TokenReply, ...problemOf('unauthorized', 'unknown, spent or expired refresh token') },
      },
    },
    async (req) => auth.refresh(req.body.refreshToken),
  );

  app.post<{ Body: RefreshBody }>(
    '/api/auth/logout',
    {
      schema: { tags: ['auth'], summary: 'Revoke a refresh token', body: RefreshBody, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await auth.logout(req.body.refreshToken);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: CreateUserBody }>(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['users'],
        summary: "Add a user to the caller's tenant",
        security: [{ bearer: [] }],
        body: CreateUserBody,
        response: { 201: UserSchema, ...problemOf('conflict', 'the email is taken') },
      },
    },
    async (req, reply) => {
      const { tenantId } = principalOf(req);
      return reply.code(201).send(await auth.createUser(tenantId, req.body.email, req.body.password, req.body.role));
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['users'],
        summary: "List the caller's tenant's users",
        security: [{ bearer: [] }],
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
}
