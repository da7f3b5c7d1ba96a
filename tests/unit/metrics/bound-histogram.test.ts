import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BoundHistogram } from '../../../src/infra/metrics/bound-histogram.js';

// The bound histogram must expose exactly what prom-client's own Histogram exposes for the same
// observations: the dashboard, the alert rules and promtool read it as a standard histogram.
describe('BoundHistogram', () => {
  const buckets = [0.001, 0.01, 0.1, 1];
  const labelNames = ['method', 'route', 'status_code'] as const;
  const observations: [Record<(typeof labelNames)[number], string | number>, number][] = [
    [{ method: 'GET', route: '/api/blueprints', status_code: 200 }, 0.0004],
    [{ method: 'GET', route: '/api/blueprints', status_code: 200 }, 0.001], // on a bound: in it
    [{ method: 'GET', route: '/api/blueprints', status_code: 200 }, 0.05],
    [{ method: 'POST', route: '/api/blueprints', status_code: 201 }, 0.2],
    [{ method: 'POST', route: '/api/blueprints', status_code: 201 }, 7], // above every bound: +Inf only
    [{ method: 'GET', route: '/api/blueprints', status_code: 200 }, 0.0004],
  ];

  it('exposes the same text as prom-client’s Histogram, whether observed by labels or through a bound series', async () => {
    const theirs = new Registry();
    const h = new Histogram({ name: 'x_seconds', help: 'h', labelNames, buckets, registers: [theirs] });
    const ours = new Registry();
    const b = new BoundHistogram('x_seconds', 'h', labelNames, buckets, ours);
    const bound = b.bind({ method: 'GET', route: '/api/blueprints', status_code: 200 });
    for (const [labels, v] of observations) {
      h.observe(labels, v);
      if (labels.method === 'GET') bound.observe(v);
      else b.observe(labels, v);
    }
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /x_seconds_bucket\{le="0\.001",method="GET",route="\/api\/blueprints",status_code="200"\} 3/);
    assert.match(text, /x_seconds_count\{method="POST",route="\/api\/blueprints",status_code="201"\} 2/);
    assert.deepEqual(
      b.counts().map((c) => `${c.labels.method} ${c.count}`),
      ['GET 4', 'POST 2'],
    );
  });

  it('starts over on reset', async () => {
    const reg = new Registry();
    const b = new BoundHistogram('y_seconds', 'h', ['route'], buckets, reg);
    b.observe({ route: '/a' }, 0.5);
    b.reset();
    assert.deepEqual((await b.get()).values, []);
  });
});
