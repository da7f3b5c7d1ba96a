import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const TOKEN = 'scrape-token-0123456789';

async function withApp(
  env: Record<string, string>,
  fn: (api: string, metricsUrl: string | undefined) => Promise<void>,
) {
  const t = await startTestApp('embedded', env);
  try {
    const api = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await fn(api, await t.app.metrics.listen());
  } finally {
    await t.close();
  }
}

describe('/metrics is never public on the API port', () => {
  it('is served on its own listener, not on the API port', async () => {
    await withApp({}, async (api, metricsUrl) => {
      assert.equal((await fetch(`${api}/metrics`)).status, 404);
      assert.ok(metricsUrl, 'the metrics listener is up');
      assert.notEqual(new URL(metricsUrl).port, new URL(api).port);
      const res = await fetch(metricsUrl);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await res.text(), /^# HELP http_requests_total/m);
      assert.equal((await fetch(metricsUrl.replace('/metrics', '/other'))).status, 404);
    });
  });

  it('asks for the scrape token on its listener when METRICS_TOKEN is set', async () => {
    await withApp({ METRICS_TOKEN: TOKEN }, async (_api, metricsUrl) => {
      assert.equal((await fetch(metricsUrl!)).status, 401);
      assert.equal((await fetch(metricsUrl!, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
      assert.equal((await fetch(metricsUrl!, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    });
  });

  it('with METRICS_PORT=off, is served on the API port behind the token only', async () => {
    await withApp({ METRICS_PORT: 'off', METRICS_TOKEN: TOKEN }, async (api, metricsUrl) => {
      assert.equal(metricsUrl, undefined, 'no listener of its own');
      assert.equal((await fetch(`${api}/metrics`)).status, 401);
      const res = await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /http_request_duration_seconds/);
    });
    await withApp({ METRICS_PORT: 'off' }, async (api) => {
      assert.equal((await fetch(`${api}/metrics`)).status, 404, 'no token: not served at all');
    });
  });
});
