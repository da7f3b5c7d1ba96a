// docs/guides/operations.md stays true: every fenced `bash` block runs as written, in order, in one
// shell, against a live stack (the app on PgBouncer with its own seeded database and its own Redis),
// and each `# expect: REGEX` line of a block must match that block's output. The guide also names
// every alert rule and every dashboard panel that exist.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { startTestApp, waitForCache, type TestApp } from '../helpers/app.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, STACK, type TestDatabase } from '../helpers/stack.js';
import { REPO } from './lib/kubernetes.js';

const run = promisify(execFile);
const GUIDE = path.join(REPO, 'docs/guides/operations.md');
const guide = readFileSync(GUIDE, 'utf8');

interface Block {
  code: string;
  expects: RegExp[];
  line: number;
}

/** The guide's ```bash blocks with their `# expect:` patterns and line numbers. */
function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  for (const m of markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)) {
    const code = m[1]!;
    out.push({
      code,
      expects: [...code.matchAll(/^# expect: (.*)$/gm)].map((e) => new RegExp(e[1]!, 'm')),
      line: markdown.slice(0, m.index).split('\n').length + 1,
    });
  }
  return out;
}

describe('docs/guides/operations.md', () => {
  let database: TestDatabase;
  let redis: OwnRedis;
  let t: TestApp;
  let api: string;

  before(async () => {
    database = await createTestDatabase();
    redis = await startOwnRedis();
    await run('npx', ['tsx', 'scripts/seed.ts'], {
      cwd: REPO,
      env: {
        ...process.env,
        DATABASE_URL: database.bouncerUrl,
        MIGRATIONS_DATABASE_URL: database.directUrl,
        SEED_BLUEPRINTS_PER_TENANT: '30',
        SEED_PROJECTS_PER_TENANT: '3',
        SEED_LOAD_USERS: '1',
        JWT_SECRET: 'guide-test-secret-guide-test-secret-0123456789',
      },
      timeout: 120_000,
    });
    t = await startTestApp('pgbouncer', { REDIS_URL: redis.url }, database);
    await waitForCache(t.app);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    api = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await t?.close();
    await database?.drop();
    await redis?.stop();
  });

  it('every bash block runs as written and prints what its "# expect:" lines say', async () => {
    const list = blocks(guide);
    assert.ok(list.length >= 10, `${list.length} blocks`);
    // One shell for the whole guide (TOKEN from the first block is used by the later ones); each
    // block's output and exit status are framed by markers.
    const script = list.map((b, i) => `echo "@@begin ${i}@@"\n{\n${b.code}\n} 2>&1\necho "@@end ${i} $?@@"`).join('\n');
    const { stdout } = await run('bash', ['-o', 'pipefail', '-c', script], {
      cwd: REPO,
      timeout: 120_000,
      maxBuffer: 8 * 1024 * 1024,
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? '/root',
        PGCONNECT_TIMEOUT: '5',
        API: api,
        DATABASE_URL: database.bouncerUrl,
        MIGRATIONS_DATABASE_URL: database.directUrl,
        PGBOUNCER_ADMIN_URL: STACK.bouncerAdminUrl,
        REDIS_URL: redis.url,
      },
    });
    list.forEach((b, i) => {
      const m = new RegExp(`@@begin ${i}@@\\n([\\s\\S]*?)@@end ${i} (\\d+)@@`).exec(stdout);
      assert.ok(m, `block ${i} (line ${b.line}) ran`);
      const output = m[1]!;
      assert.equal(m[2], '0', `block at line ${b.line} exited ${m[2]}:\n${b.code}\n--- output:\n${output}`);
      for (const e of b.expects) assert.match(output, e, `block at line ${b.line}:\n${b.code}\n--- output:\n${output}`);
    });
  });

  it('has a section for every alert rule of deploy/prometheus/alerts.yml', () => {
    const rules = YAML.parse(readFileSync(path.join(REPO, 'deploy/prometheus/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string }[] }[];
    };
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    assert.ok(alerts.length >= 9);
    for (const a of alerts) assert.match(guide, new RegExp(`^### ${a}$`, 'm'), `alert ${a}`);
  });

  it('names every panel of the Grafana dashboard', () => {
    const dashboard = JSON.parse(
      readFileSync(path.join(REPO, 'deploy/grafana/dashboards/iac-dharma-performance.json'), 'utf8'),
    ) as { panels: { type: string; title: string }[] };
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      assert.ok(guide.replace(/\s+/g, ' ').includes(`_${p.title}_`), `panel "${p.title}"`);
    }
  });

  it('the pool arithmetic matches the shipped PgBouncer configurations', () => {
    const ini = readFileSync(path.join(REPO, 'deploy/compose/pgbouncer/pgbouncer.ini'), 'utf8');
    const k8s = readFileSync(path.join(REPO, 'deploy/kubernetes/base/pgbouncer.ini'), 'utf8');
    assert.match(ini, /^max_db_connections = 100$/m);
    assert.match(k8s, /^max_db_connections = 50$/m);
    assert.match(guide, /D = 100 and\s+C = 200/);
    assert.match(guide, /two with D = 50 each/);
  });
});
