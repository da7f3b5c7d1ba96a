// The container image without a Docker engine: the Dockerfile's build context holds what its
// COPY lines name (after .dockerignore), and the image's migration command — dist/migrate.js,
// compiled with the app, with migrations/ beside dist/, as the runtime stage lays them out —
// migrates a fresh PostgreSQL over a direct URL and is idempotent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, directQuery, type TestDatabase } from '../helpers/stack.js';
import { REPO } from './lib/kubernetes.js';

const run = promisify(execFile);
const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');

/** .dockerignore as Docker applies it to top-level paths: last matching line wins, `!` re-includes. */
function ignored(file: string): boolean {
  let out = false;
  for (const raw of readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = negate ? line.slice(1) : line;
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (re.test(file)) out = !negate;
  }
  return out;
}

describe('container image', () => {
  it('uses a supported Node.js LTS line (>= 22) in both stages, runs as "node", and every COPY source is in the build context', () => {
    const from = dockerfile.match(/^ARG NODE_IMAGE=node:(\d+)-/m);
    assert.ok(from && Number(from[1]) >= 22 && Number(from[1]) % 2 === 0, `LTS line: ${from?.[1]}`);
    assert.equal((dockerfile.match(/^FROM \$\{NODE_IMAGE\} AS /gm) ?? []).length, 2);
    assert.match(dockerfile, /^USER node$/m);
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--chown=\S+ )?(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(' '),
    );
    for (const s of sources) {
      assert.ok(!ignored(s), `${s} is excluded by .dockerignore`);
    }
    assert.ok(
      ignored('node_modules') && ignored('.env') && ignored('deploy/kubernetes'),
      'the context stays small and secret-free',
    );
  });

  describe('node dist/migrate.js (the Kubernetes Job and the compose "migrate" service)', () => {
    const root = path.join(REPO, 'tmp', `image-${process.pid}`);
    let db: TestDatabase;
    before(async () => {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      // The runtime stage: /app/dist (tsc output, migrate.js included) and /app/migrations.
      await run(
        'npx',
        ['tsc', '-p', 'tsconfig.build.json', '--outDir', path.join(root, 'dist'), '--sourceMap', 'false'],
        {
          cwd: REPO,
          timeout: 180_000,
        },
      );
      symlinkSync(path.join(REPO, 'migrations'), path.join(root, 'migrations'));
      db = await createTestDatabase();
    });
    after(async () => {
      rmSync(root, { recursive: true, force: true });
      await db?.drop();
    });
    const migrate = async (env: Record<string, string>) => {
      try {
        const { stdout } = await run('node', ['dist/migrate.js'], {
          cwd: root,
          // As the image runs it: NODE_ENV=production (no JWT_SECRET needed to migrate).
          env: { PATH: process.env.PATH!, NODE_ENV: 'production', ...env },
          timeout: 60_000,
        });
        return { code: 0, out: stdout };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, out: e.stdout + e.stderr };
      }
    };

    it('applies every migration on a fresh database, then reports it up to date', async () => {
      const first = await migrate({ MIGRATIONS_DATABASE_URL: db.directUrl });
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, /^applied: core-schema, guardrail-settings/);
      const versions = await directQuery<{ version: string }>(
        db.directUrl,
        'SELECT version FROM schemaversion ORDER BY version',
      );
      assert.ok(versions.length >= 2);
      const second = await migrate({ MIGRATIONS_DATABASE_URL: db.directUrl });
      assert.deepEqual(second, { code: 0, out: 'database is up to date\n' });
    });

    it('exits 1 with one clear line when MIGRATIONS_DATABASE_URL is missing or unreachable', async () => {
      const missing = await migrate({});
      assert.equal(missing.code, 1);
      assert.match(missing.out, /MIGRATIONS_DATABASE_URL is required/);
      const unreachable = await migrate({ MIGRATIONS_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' });
      assert.equal(unreachable.code, 1);
      assert.match(unreachable.out, /^migration failed: /m);
    });
  });
});
