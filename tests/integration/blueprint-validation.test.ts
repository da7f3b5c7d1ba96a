import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  bearer,
  blueprintBody,
  problemOf,
  registerTenant,
  startTestApp,
  type Account,
  type TestApp,
} from '../helpers/app.js';

// Saving runs the engines' own rules (422 naming every offending pointer), user schemas cannot
// freeze the event loop or poison each other, and hostile nesting is a 400, never a 500.
describe('blueprint validation on save and hostile parameter schemas', () => {
  let t: TestApp;
  let a: Account;
  before(async () => {
    t = await startTestApp('pgbouncer');
    a = await registerTenant(t.app, 'Validation');
  });
  after(() => t.close());

  const send = (method: 'POST' | 'PUT', url: string, payload: unknown, who: Account = a) =>
    t.app.inject({ method, url, headers: bearer(who), payload: payload as object });
  const paths = (res: Awaited<ReturnType<typeof send>>) => (problemOf(res).errors ?? []).map((e) => e.path);

  const broken = blueprintBody({
    region: 'mars-north-1',
    resources: [
      { name: 'vpc', type: 'network', properties: { cidr: 'banana' } },
      { name: 'loop', type: 'subnet', properties: { network: 'loop', cidr: '10.0.1.0/24' } },
      { name: 'bare', type: 'subnet', properties: { network: 'vpc' } },
      { name: 'web', type: 'vm', properties: { size: '${param.size}', subnet: 'ghost' } },
      { name: 'assets', type: 'bucket', properties: { pubilc: true } },
    ],
  });
  const expected = [
    '/region',
    '/resources/0/properties/cidr',
    '/resources/1/properties/network',
    '/resources/2/properties/cidr',
    '/resources/3/properties/subnet',
    '/resources/4/properties/pubilc',
  ];

  it('refuses on POST a blueprint the engines could not generate, naming every offending pointer', async () => {
    const res = await send('POST', '/api/blueprints', broken);
    assert.equal(res.statusCode, 422, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    for (const p of expected) assert.ok(paths(res).includes(p), `${p} missing from ${JSON.stringify(paths(res))}`);
    const list = (await t.app.inject({ url: '/api/blueprints', headers: bearer(a) })).json();
    assert.equal(list.items.length, 0, 'nothing was saved');
  });

  it('refuses the same on PUT, and keeps the stored version', async () => {
    const created = await send('POST', '/api/blueprints', blueprintBody({ status: 'published' }));
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const res = await send('PUT', `/api/blueprints/${id}`, { ...broken, status: 'published' });
    assert.equal(res.statusCode, 422);
    for (const p of expected) assert.ok(paths(res).includes(p), `${p} missing from ${JSON.stringify(paths(res))}`);
    const stored = (await t.app.inject({ url: `/api/blueprints/${id}`, headers: bearer(a) })).json();
    assert.equal(stored.version, '1.0.0');
  });

  it('refuses networks that would not deploy: overlapping subnets, one zone for a load balancer, a NAT in a private subnet', async () => {
    const res = await send(
      'POST',
      '/api/blueprints',
      blueprintBody({
        resources: [
          { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
          { name: 'a', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.0.0/20' } },
          { name: 'b', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.8.0/24' } },
          { name: 'outside', type: 'subnet', properties: { network: 'vpc', cidr: '10.9.0.0/24' } },
          { name: 'lb', type: 'load_balancer', properties: { subnets: ['a'] } },
          { name: 'nat', type: 'nat_gateway', properties: { subnet: 'a' } },
        ],
      }),
    );
    assert.equal(res.statusCode, 422, res.body);
    for (const p of [
      '/resources/2/properties/cidr',
      '/resources/3/properties/cidr',
      '/resources/4/properties/subnets',
      '/resources/5/properties/subnet',
    ])
      assert.ok(paths(res).includes(p), `${p} missing from ${JSON.stringify(paths(res))}`);
  });

  it('every saved blueprint generates: the seed-like stacks round-trip through save and generation', async () => {
    const created = await send('POST', '/api/blueprints', blueprintBody({ status: 'published' }));
    assert.equal(created.statusCode, 201);
    for (const format of ['terraform', 'cloudformation'])
      assert.equal(
        (await send('POST', '/api/iac/generate', { blueprintId: created.json().id, format })).statusCode,
        200,
      );
  });

  it('gives two tenants different globally unique names for the same blueprint', async () => {
    const b = await registerTenant(t.app, 'ValidationOther');
    const body = blueprintBody({ resources: [{ name: 'assets', type: 'bucket', properties: {} }] });
    const prefix = async (who: Account) => {
      const out = (await send('POST', '/api/iac/generate', { blueprint: body, format: 'terraform' }, who)).json();
      return /bucket_prefix = "([^"]+)"/.exec(
        out.files.find((f: { path: string }) => f.path === 'main.tf').content,
      )![1];
    };
    const [mine, again, theirs] = [await prefix(a), await prefix(a), await prefix(b)];
    assert.equal(mine, again, 'deterministic for one tenant');
    assert.notEqual(mine, theirs);
  });

  it('matches user patterns in linear time: ^(a+)+$ against 34 a and a "!" answers while /health/live keeps answering', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const evil = blueprintBody({
      parameters: { type: 'object', properties: { size: { type: 'string', pattern: '^(a+)+$', default: 'a' } } },
      resources: [{ name: 'q', type: 'queue', properties: {} }],
    });
    const started = Date.now();
    const [guard, health] = await Promise.all([
      fetch(`${base}/api/guardrails/evaluate`, {
        method: 'POST',
        headers: { ...bearer(a), 'content-type': 'application/json' },
        body: JSON.stringify({ blueprint: evil, parameters: { size: `${'a'.repeat(34)}!` } }),
        signal: AbortSignal.timeout(10_000),
      }),
      (async () => {
        const answered: number[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(2_000) });
          answered.push(r.status);
        }
        return answered;
      })(),
    ]);
    assert.equal(guard.status, 422, 'the value does not match: a 422, promptly');
    assert.deepEqual(health, [200, 200, 200, 200, 200]);
    assert.ok(Date.now() - started < 10_000, 'bounded: no hang');
  });

  it('refuses a pattern RE2 cannot run with the JSON Pointer of the field', async () => {
    const res = await send(
      'POST',
      '/api/blueprints',
      blueprintBody({
        parameters: {
          type: 'object',
          properties: { size: { type: 'string', default: 't3.micro' }, tag: { type: 'string', pattern: '^(?=x)x$' } },
        },
      }),
    );
    assert.equal(res.statusCode, 422);
    assert.deepEqual(paths(res), ['/parameters/properties/tag/pattern']);
    const props = await send('POST', '/api/guardrails/evaluate', {
      blueprint: blueprintBody({
        parameters: { type: 'object', patternProperties: { '(a)\\1': { type: 'string' } } },
        resources: [{ name: 'q', type: 'queue', properties: {} }],
      }),
    });
    assert.equal(props.statusCode, 422);
    assert.deepEqual(paths(props), ['/blueprint/parameters/patternProperties/(a)\\1']);
  });

  it('compiles every user schema alone: a shared $id, or a meta-schema id, changes nothing for anyone else', async () => {
    const b = await registerTenant(t.app, 'ValidationPoison');
    const schema = (type: string, id: string) => ({
      $id: id,
      type: 'object',
      properties: { size: { type, default: type === 'string' ? 't3.micro' : 10 } },
    });
    const mine = blueprintBody({ parameters: schema('string', 'https://schemas.example/shared.json') });
    const theirs = blueprintBody({
      parameters: schema('integer', 'https://schemas.example/shared.json'),
      resources: [{ name: 'web', type: 'vm', properties: { diskGb: '${param.size}' } }],
    });
    const meta = blueprintBody({ parameters: schema('string', 'http://json-schema.org/draft-07/schema#') });
    for (const [who, body] of [
      [a, mine],
      [b, theirs],
      [b, meta],
    ] as const)
      assert.equal((await send('POST', '/api/blueprints', body, who)).statusCode, 201);
    // Each keeps validating against its own schema, whatever was compiled in between.
    const gen = (who: Account, blueprint: unknown, parameters: unknown) =>
      send('POST', '/api/iac/generate', { blueprint, parameters, format: 'terraform' }, who);
    assert.equal((await gen(a, mine, { size: 't3.small' })).statusCode, 200);
    assert.equal((await gen(a, mine, { size: 3 })).statusCode, 422);
    assert.equal((await gen(b, theirs, { size: 3 })).statusCode, 200);
    assert.equal((await gen(b, theirs, { size: 't3.small' })).statusCode, 422);
    // Schemas are still checked against the real meta-schema after one claimed its id.
    const invalid = await send('POST', '/api/blueprints', blueprintBody({ parameters: { type: 'no-such-type' } }));
    assert.equal(invalid.statusCode, 422);
    assert.equal((await gen(a, meta, { size: 't3.small' })).statusCode, 200);
  });

  it('answers deep nesting with 400 naming the field, before anything recurses', async () => {
    // Built as text: the value nests far deeper than JSON.stringify (or any recursion) can go.
    const deep = '['.repeat(100_000) + '"x"' + ']'.repeat(100_000);
    const post = (url: string, json: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(a), 'content-type': 'application/json' },
        payload: json,
      });
    const generate = JSON.stringify({ blueprint: blueprintBody(), format: 'terraform', parameters: { size: 0 } });
    const res = await post('/api/iac/generate', generate.replace('"size":0', `"size":${deep}`));
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    // Refused by the body parser at its nesting bound, naming the path down to where it stopped.
    assert.ok(paths(res).length === 1 && paths(res)[0]!.startsWith('/parameters'), JSON.stringify(paths(res)));
    const saved = JSON.stringify(blueprintBody({ parameters: { type: 'object', properties: { x: 0 } } }));
    const schema = await post('/api/blueprints', saved.replace('"x":0', `"x":${deep}`));
    assert.equal(schema.statusCode, 400, schema.body.slice(0, 300));
    assert.ok(paths(schema).length === 1 && paths(schema)[0]!.startsWith('/parameters'), JSON.stringify(paths(schema)));
  });

  it('bounds the size of a user schema', async () => {
    const huge = Object.fromEntries(Array.from({ length: 2_500 }, (_, i) => [`p${i}`, { type: 'string' }]));
    const res = await send(
      'POST',
      '/api/blueprints',
      blueprintBody({ parameters: { type: 'object', properties: huge } }),
    );
    assert.equal(res.statusCode, 422);
    assert.ok(paths(res)[0]!.startsWith('/parameters'), JSON.stringify(paths(res)));
  });
});
