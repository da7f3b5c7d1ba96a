/**
 * The hostile-input catalogue: the types every entry shares, and the entries aimed at the HTTP
 * layer, authentication and users. Blueprint, project, engine and cache entries are in
 * catalogue-api.ts. Each entry must be answered with a 4xx (or what `expect` says) within the
 * runner's bound while /health/live keeps answering.
 */
import { createSigner } from 'fast-jwt';
import type { Answer } from './server.js';

/** What an entry may use: the server's port and one tenant's admin with a blueprint and a project. */
export interface Ctx {
  port: number;
  token: string;
  tenantId: string;
  blueprintId: string;
  projectId: string;
  /** An authenticated JSON request (for setup and follow-up checks). */
  call(method: string, path: string, body?: unknown): Promise<Answer>;
}

/** An HTTP request as a client would send it, or bytes written to a socket as they are. */
export type Req = { method?: string; path: string; headers?: Record<string, string>; body?: string } | { raw: string };

/** One hostile input. */
export interface Hostile {
  name: string;
  family: 'http' | 'auth' | 'users' | 'blueprints' | 'projects' | 'engines' | 'cache' | 'health';
  req(ctx: Ctx): Req | Promise<Req>;
  /** A complaint about the answer, or undefined; default: it must be a 4xx. */
  expect?: (a: Answer) => string | undefined;
  /** Afterwards, a complaint if the service no longer works for everybody. */
  after?: (ctx: Ctx) => Promise<string | undefined>;
  /** Whose fix this entry waits for, when it is known to fail until then (reported, not skipped). */
  pending?: string;
}

/** An authenticated request with a JSON (or raw string) body. */
export function authed(
  ctx: Ctx,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Req {
  return {
    method,
    path,
    headers: {
      authorization: `Bearer ${ctx.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** A public JSON request. */
export function anon(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Req {
  return {
    method,
    path,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** `{"n":{"n":…}}` nested `depth` deep, built as text (JSON.stringify would recurse). */
export function nestedText(depth: number, leaf = '1'): string {
  return '{"n":'.repeat(depth) + leaf + '}'.repeat(depth);
}

const unsigned = (claims: object) =>
  `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

export const HTTP_AND_AUTH: Hostile[] = [
  {
    name: 'a 20 KiB cookie header',
    family: 'http',
    req: (c) => authed(c, 'GET', '/api/blueprints', undefined, { cookie: `s=${'x'.repeat(20_480)}` }),
  },
  {
    name: 'a 20 KiB query string',
    family: 'http',
    req: (c) => authed(c, 'GET', `/api/blueprints?q=${'a'.repeat(20_480)}`),
  },
  {
    name: 'a query string of 2,000 repeated parameters',
    family: 'http',
    req: (c) => authed(c, 'GET', `/api/blueprints?${'a=1&'.repeat(2_000)}`),
  },
  {
    name: 'request smuggling: Content-Length and Transfer-Encoding together',
    family: 'http',
    req: () => ({
      raw: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n',
    }),
  },
  {
    name: 'two different Content-Length headers',
    family: 'http',
    req: () => ({
      raw: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\n{}',
    }),
  },
  {
    name: 'an invalid chunk size',
    family: 'http',
    req: () => ({
      raw: 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    }),
  },
  {
    name: 'an unknown method',
    family: 'http',
    req: () => ({ raw: 'BREW /api/blueprints HTTP/1.1\r\nHost: x\r\n\r\n' }),
  },
  {
    name: 'CR in a header value (header injection)',
    family: 'http',
    req: () => ({ raw: 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rSet-Cookie: owned=1\r\n\r\n' }),
  },
  {
    name: 'NUL in the request line',
    family: 'http',
    req: () => ({ raw: 'GET /health/\0live HTTP/1.1\r\nHost: x\r\n\r\n' }),
  },
  {
    name: 'broken percent-encoding in the path',
    family: 'http',
    req: (c) => authed(c, 'GET', '/api/blueprints/%E0%A4%A'),
  },
  {
    name: 'path traversal in an id',
    family: 'http',
    req: (c) => authed(c, 'GET', '/api/projects/..%2F..%2F..%2Fetc%2Fpasswd'),
  },
  {
    name: 'an absolute-form request target',
    family: 'http',
    req: () => ({ raw: 'GET http://evil.example/api/blueprints HTTP/1.1\r\nHost: evil.example\r\n\r\n' }),
  },
  {
    name: 'a 10,000-character bearer token',
    family: 'http',
    req: () => anon('GET', '/api/blueprints', undefined, { authorization: `Bearer ${'a'.repeat(10_000)}` }),
  },
  {
    name: 'a token signed with alg none',
    family: 'http',
    req: (c) =>
      anon('GET', '/api/blueprints', undefined, {
        authorization: `Bearer ${unsigned({ sub: c.tenantId, tid: c.tenantId, role: 'admin', exp: 4_102_444_800 })}`,
      }),
  },
  {
    name: 'a token signed with another secret',
    family: 'http',
    req: (c) => {
      const sign = createSigner({ key: 'not-the-secret-not-the-secret-0123456789', algorithm: 'HS256' });
      return anon('GET', '/api/blueprints', undefined, {
        authorization: `Bearer ${sign({ sub: c.tenantId, tid: c.tenantId, role: 'admin' })}`,
      });
    },
  },
  { name: 'a wrong method on a known path', family: 'http', req: () => anon('POST', '/health/live', {}) },
  {
    name: 'NUL in the login email',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', { email: 'admin\u0000@example.com', password: 'whatever-long' }),
  },
  {
    name: 'NUL in the registration organization',
    family: 'auth',
    req: () =>
      anon('POST', '/api/auth/register', {
        email: `nul.${Date.now()}@example.com`,
        password: 'correct horse battery staple',
        organization: 'Evil\u0000Corp',
      }),
  },
  {
    name: 'operator injection as login credentials ({"$ne": null})',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', { email: { $ne: null }, password: { $ne: null } }),
  },
  {
    name: 'SQL injection as the login email',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', { email: "' OR '1'='1' --", password: "' OR '1'='1' --" }),
  },
  { name: 'a login body that is a JSON array', family: 'auth', req: () => anon('POST', '/api/auth/login', '[]') },
  { name: 'truncated JSON', family: 'auth', req: () => anon('POST', '/api/auth/login', '{"email": "a@b.c", "pass') },
  {
    name: 'a 900 KiB password',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', { email: 'a@b.example', password: 'p'.repeat(900 * 1024) }),
  },
  {
    name: 'a body just over 1 MiB',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', { email: 'a@b.example', password: 'p'.repeat(1024 * 1024) }),
  },
  {
    name: 'login sent as text/plain',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', '{"email":"a@b.c","password":"x"}', { 'content-type': 'text/plain' }),
  },
  {
    name: 'JSON after a byte-order mark',
    family: 'auth',
    req: () => anon('POST', '/api/auth/login', '\uFEFF{"email":"a@b.c","password":"x"}'),
  },
  {
    name: 'SQL injection as a refresh token',
    family: 'auth',
    req: () => anon('POST', '/api/auth/refresh', { refreshToken: "x'; DELETE FROM refresh_tokens; --" }),
  },
  {
    name: 'a 10,000-character email at registration',
    family: 'auth',
    req: () =>
      anon('POST', '/api/auth/register', {
        email: `${'a'.repeat(10_000)}@example.com`,
        password: 'correct horse battery staple',
        organization: 'Long',
      }),
  },
  {
    name: '__proto__ in a new user',
    family: 'users',
    req: (c) =>
      authed(
        c,
        'POST',
        '/api/users',
        '{"email":"p@x.example","password":"long enough pass","role":"viewer","__proto__":{"role":"admin"}}',
      ),
  },
  {
    name: 'an unknown role (superadmin)',
    family: 'users',
    req: (c) =>
      authed(c, 'POST', '/api/users', { email: 'r@x.example', password: 'long enough pass', role: 'superadmin' }),
  },
  { name: 'a user list with ?limit=1e9', family: 'users', req: (c) => authed(c, 'GET', '/api/users?limit=1e9') },
  {
    name: 'a user list with a 5,000-character cursor',
    family: 'users',
    req: (c) => authed(c, 'GET', `/api/users?cursor=${'A'.repeat(5_000)}`),
  },
];
