/**
 * The OpenAPI document itself: every operation has a summary and documents its error responses as
 * problem+json, and every request schema is bounded (strings, arrays, maps), so nothing a client
 * sends is unbounded before the handler sees it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { routesOf, type Document, type Schema } from './openapi.js';

// Every place in `schema` where a string, an array or a map has no upper bound.
function unbounded(doc: Document, schema: Schema, at: string, out: string[], seen = new Set<Schema>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  if (schema.$ref) return unbounded(doc, doc.components.schemas[schema.$ref.split('/').pop()!]!, at, out, seen);
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    unbounded(doc, branch, at, out, seen);
  const types = [schema.type].flat();
  if (types.includes('string') && schema.maxLength === undefined && !schema.enum && schema.const === undefined)
    out.push(`${at}: a string without maxLength`);
  if (types.includes('array')) {
    if (schema.maxItems === undefined) out.push(`${at}: an array without maxItems`);
    if (schema.items) unbounded(doc, schema.items, `${at}/items`, out, seen);
  }
  if (types.includes('object')) {
    const open = schema.additionalProperties !== false;
    if (open && schema.maxProperties === undefined) out.push(`${at}: an open object without maxProperties`);
    if (open && schema.propertyNames === undefined && typeof schema.additionalProperties === 'object')
      out.push(`${at}: map keys without propertyNames`);
    if (schema.propertyNames) unbounded(doc, schema.propertyNames, `${at}/propertyNames`, out, seen);
    for (const [k, v] of Object.entries<Schema>(schema.properties ?? {})) unbounded(doc, v, `${at}/${k}`, out, seen);
    if (typeof schema.additionalProperties === 'object')
      unbounded(doc, schema.additionalProperties, `${at}/additionalProperties`, out, seen);
  }
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  before(async () => {
    t = await startTestApp('embedded');
    doc = (await t.app.inject('/docs/json')).json();
  });
  after(() => t?.close());

  it('gives every operation a summary and every response a description', () => {
    for (const { method, path, op } of routesOf(doc)) {
      assert.ok(op.summary && op.summary.length > 10, `${method} ${path} has a summary`);
      for (const [status, r] of Object.entries(op.responses))
        assert.ok(r.description && r.description !== 'Default Response', `${method} ${path} ${status} is described`);
    }
  });

  it('documents the error responses of every operation as problem+json', () => {
    for (const { method, path, op } of routesOf(doc)) {
      const needed = ['400', '500', '503'];
      if (op.security?.length) needed.push('401');
      if (op.requestBody) needed.push('413', '415');
      if (path.includes('{')) needed.push('404');
      if (op['x-role'] && op['x-role'] !== 'viewer') needed.push('403');
      for (const status of needed) {
        const r = op.responses[status];
        assert.ok(r, `${method} ${path} documents ${status}`);
        if (path === '/health/ready' && status === '503') continue; // readiness answers its own body
        assert.deepEqual(r.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' });
      }
    }
    const problem = doc.components.schemas.Problem!;
    assert.deepEqual([...problem.required].sort(), ['detail', 'status', 'title', 'type']);
  });

  it('bounds every string, array and map a request can carry', () => {
    const found: string[] = [];
    for (const { method, path, op } of routesOf(doc)) {
      for (const p of op.parameters ?? []) unbounded(doc, p.schema, `${method} ${path} ${p.in} ${p.name}`, found);
      for (const [media, c] of Object.entries(op.requestBody?.content ?? {}))
        unbounded(doc, c.schema, `${method} ${path} body (${media})`, found);
    }
    assert.deepEqual(found, []);
  });

  it('accepts merge-patch JSON where it documents it, and only there', () => {
    for (const { method, path, op } of routesOf(doc)) {
      const media = Object.keys(op.requestBody?.content ?? {});
      if (!op.requestBody) continue;
      assert.ok(media.includes('application/json'), `${method} ${path} takes JSON`);
      assert.equal(media.includes('application/merge-patch+json'), method === 'PATCH', `${method} ${path}`);
    }
  });
});
