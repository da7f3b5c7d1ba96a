import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CacheEntry } from '../../../src/infra/cache/entry.js';
import { compileGlob } from '../../../src/infra/cache/glob.js';
import { createL1 } from '../../../src/infra/cache/l1.js';

const entry = (key: string, tags: string[], over: Partial<CacheEntry> = {}): CacheEntry => ({
  key,
  tenantId: key.split(':')[1]!,
  body: Buffer.alloc(100),
  etag: '"e"',
  contentType: 'application/json',
  storedAt: 0,
  expiresAt: 1_000,
  staleUntil: 2_000,
  tags,
  ...over,
});

describe('L1 (in-process tier)', () => {
  it('serves fresh and stale entries, forgets them past their stale window', () => {
    const l1 = createL1(1 << 20, () => {});
    assert.ok(l1.set(entry('cache:t:a', ['t:x']), l1.begin()));
    assert.ok(l1.get('cache:t:a', 500));
    assert.ok(l1.get('cache:t:a', 1_500), 'stale but servable');
    assert.equal(l1.get('cache:t:a', 2_000), undefined);
    assert.equal(l1.count(), 0);
  });

  it('evicts the least recently used entry past its byte bound, and says so', () => {
    const evicted: string[] = [];
    const l1 = createL1(1_200, (e) => evicted.push(e.key));
    for (const k of ['a', 'b', 'c']) l1.set(entry(`cache:t:${k}`, []), l1.begin());
    l1.get('cache:t:a', 0); // a is now the most recent
    l1.set(entry('cache:t:d', []), l1.begin());
    assert.deepEqual(evicted, ['cache:t:b']);
    assert.ok(l1.bytes <= 1_200);
    assert.equal(l1.set(entry('cache:t:huge', [], { body: Buffer.alloc(5_000) }), l1.begin()), false);
  });

  it('refuses a store begun before one of its own tags was invalidated, never another tag’s', () => {
    const l1 = createL1(1 << 20, () => {});
    const since = l1.begin();
    l1.invalidateTags(['t:bp:x']);
    assert.equal(l1.set(entry('cache:t:x', ['t:bp:x']), since), false, 'X changed since the lookup');
    assert.equal(l1.set(entry('cache:t:y', ['t:bp:y']), since), true, 'a write to X never refuses Y');
    assert.equal(l1.set(entry('cache:t:x', ['t:bp:x']), l1.begin()), true, 'a lookup begun after is fine');
  });

  it('drops exactly the entries of the invalidated tags and returns them', () => {
    const l1 = createL1(1 << 20, () => {});
    l1.set(entry('cache:t:list', ['t:first', 't:bp:1', 't:bp:2']), l1.begin());
    l1.set(entry('cache:t:one', ['t:bp:1']), l1.begin());
    l1.set(entry('cache:t:two', ['t:bp:2']), l1.begin());
    const dropped = l1.invalidateTags(['t:bp:1']).map((e) => e.key);
    assert.deepEqual(dropped.sort(), ['cache:t:list', 'cache:t:one']);
    assert.ok(l1.get('cache:t:two', 0));
    assert.equal(l1.count('t'), 1);
  });

  it('removes by pattern within one tenant, or all tenants for an operator', async () => {
    const l1 = createL1(1 << 20, () => {});
    for (const t of ['t1', 't2'])
      for (const k of ['blueprints:a', 'projects:a']) l1.set(entry(`cache:${t}:${k}`, []), l1.begin());
    assert.equal(await l1.removeMatching('t1', compileGlob('blueprints:*')), 1);
    assert.equal(l1.count('t2'), 2, 'another tenant is untouched');
    assert.equal(await l1.removeMatching('*', compileGlob('projects:*')), 2);
    assert.equal(l1.count(), 1);
  });

  it('forgets everything and refuses every store in flight after a lost invalidation', () => {
    const l1 = createL1(1 << 20, () => {});
    const since = l1.begin();
    l1.set(entry('cache:t:a', ['t:a']), since);
    l1.forgetAll();
    assert.equal(l1.count(), 0);
    assert.equal(l1.set(entry('cache:t:b', ['t:never-invalidated']), since), false);
  });

  it('keeps refusing stale stores after its stamp memory is trimmed (floor)', () => {
    const l1 = createL1(1 << 20, () => {});
    const since = l1.begin();
    l1.invalidateTags(['t:old']);
    for (let i = 0; i < 100_010; i++) l1.invalidateTags([`t:filler:${i}`]); // pushes t:old out of the map
    assert.equal(l1.set(entry('cache:t:o', ['t:old']), since), false);
  });
});
