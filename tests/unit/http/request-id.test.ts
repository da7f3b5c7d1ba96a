import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { createRequestId, createRequestIds } from '../../../src/infra/http/request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('generated ids are UUID-shaped, distinct, and take a new random prefix when the sequence ends', () => {
  const prefixes = ['11111111-2222-4333-8444-555555666666', 'aaaaaaaa-bbbb-4ccc-9ddd-eeeeeeffffff'];
  let calls = 0;
  const next = createRequestIds(() => prefixes[calls++]!);
  const first = new Set<string>();
  let last = '';
  for (let i = 0; i < 0x100_0000; i++) {
    last = next();
    if (i < 100_000) first.add(last);
  }
  assert.equal(first.size, 100_000);
  assert.ok(first.has('11111111-2222-4333-8444-555555000000'));
  assert.ok(first.has('11111111-2222-4333-8444-55555501869f')); // 99,999
  assert.equal(last, '11111111-2222-4333-8444-555555ffffff');
  assert.equal(calls, 1);
  assert.equal(next(), 'aaaaaaaa-bbbb-4ccc-9ddd-eeeeee000000');
  assert.equal(calls, 2);
  for (const id of [...first].slice(0, 1000)) assert.match(id, UUID);
});

test('two sources (two replicas) share no id', () => {
  const a = createRequestIds();
  const b = createRequestIds();
  const ids = new Set<string>();
  for (let i = 0; i < 10_000; i++) ids.add(a()).add(b());
  assert.equal(ids.size, 20_000);
});

test('a sane X-Request-Id is echoed, anything else replaced by a generated id', () => {
  const requestId = createRequestId(() => 'generated');
  const req = (v?: string | string[]) => ({ headers: v === undefined ? {} : { 'x-request-id': v } }) as IncomingMessage;
  assert.equal(requestId(req('abc-123.x:y_z')), 'abc-123.x:y_z');
  assert.equal(requestId(req()), 'generated');
  assert.equal(requestId(req('has space')), 'generated');
  assert.equal(requestId(req('x'.repeat(129))), 'generated');
  assert.equal(requestId(req(['a', 'b'])), 'generated');
  assert.equal(requestId(req('')), 'generated');
});
