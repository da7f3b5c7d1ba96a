// deploy/compose/docker-compose.yml without a Docker engine: it validates against the Compose
// Specification's JSON schema after interpolation, every file it mounts exists, and the stack
// fits together (replicas behind the load balancer, scrape port, migration order, pool sizes,
// Redis eviction, provisioned datasources the dashboard uses).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { composeValidator, interpolate, loadCompose, type Compose, type ComposeService } from './lib/compose.js';
import { iniSettings, REPO } from './lib/kubernetes.js';

const FILE = path.join(REPO, 'deploy/compose/docker-compose.yml');
const ENV = { JWT_SECRET: 'compose-test-secret-compose-test-secret-0123' };
const compose: Compose = loadCompose(FILE, ENV);
const svc = (name: string): ComposeService => {
  const s = compose.services[name];
  assert.ok(s, `service ${name}`);
  return s;
};
const dependsOn = (s: ComposeService) =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }]))
    : (s.depends_on ?? {});
const command = (s: ComposeService) => (Array.isArray(s.command) ? s.command : [s.command ?? '']);

describe('docker-compose stack', () => {
  it('validates against the Compose Specification schema', () => {
    assert.deepEqual(composeValidator()(compose), []);
  });

  it('the validator rejects an unknown service key, a malformed duration and a non-integer replica count', () => {
    const broken = structuredClone(compose) as Compose & { services: Record<string, Record<string, unknown>> };
    broken.services.api!.helthcheck = {};
    broken.services.api!.stop_grace_period = 'fifteen seconds';
    broken.services.api!.deploy = { replicas: 'three' };
    const problems = composeValidator()(broken).join('\n');
    assert.match(problems, /additionalProperty":"helthcheck"/);
    assert.match(problems, /stop_grace_period must match format "duration"/);
    assert.match(problems, /replicas must be integer/);
  });

  it('interpolates as Compose does, and refuses to start without JWT_SECRET', () => {
    assert.equal(interpolate('a $$HOME ${X:-d} ${Y-e} $X', { X: '1', Y: '' }), 'a $HOME 1  1');
    assert.equal(interpolate('${X:-d}', { X: '' }), 'd');
    assert.throws(() => loadCompose(FILE, {}), /JWT_SECRET is missing: set JWT_SECRET/);
  });

  it('runs the whole stack: database, pooler, cache, migration, N API replicas, load balancer, metrics, dashboards, traces, logs', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'alloy',
      'api',
      'grafana',
      'jaeger',
      'lb',
      'loki',
      'migrate',
      'pgbouncer',
      'postgres',
      'prometheus',
      'redis',
    ]);
  });

  it('every file it mounts exists in the repository', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.')) continue; // named volumes and the Docker socket
        assert.ok(existsSync(path.resolve(path.dirname(FILE), source)), `${name}: ${source}`);
      }
    }
  });

  it('API replicas sit behind nginx only, are scraped on their metrics port, and start after the migration', () => {
    const api = svc('api');
    const env = api.environment!;
    assert.ok(Number(api.deploy?.replicas) >= 2, 'several replicas by default');
    assert.equal(api.ports, undefined, 'no host port: every request goes through the lb');
    assert.deepEqual(api.expose, [env.PORT, env.METRICS_PORT]);
    assert.equal(env.METRICS_HOST, '0.0.0.0');
    assert.equal(env.TRUST_PROXY, '1');
    assert.equal(env.MIGRATE, 'false');
    assert.equal(env.DB_HOST, 'pgbouncer');
    assert.equal(dependsOn(api).migrate?.condition, 'service_completed_successfully');
    assert.ok(Number(env.SHUTDOWN_TIMEOUT_MS) < parseFloat(api.stop_grace_period!) * 1000, 'drain ends before SIGKILL');

    const migrate = svc('migrate');
    assert.deepEqual(command(migrate), ['node', 'dist/migrate.js']);
    assert.match(migrate.environment!.MIGRATIONS_DATABASE_URL!, /@postgres:5432\/iac_dharma$/, 'direct, not PgBouncer');
    assert.equal(migrate.image, api.image);

    const nginx = readFileSync(path.join(REPO, 'deploy/compose/nginx/nginx.conf'), 'utf8');
    assert.match(nginx, new RegExp(`server api:${env.PORT} resolve`));
    assert.match(nginx, /include \/etc\/nginx\/iac-dharma-proxy\.conf;/);
    assert.ok(svc('lb').volumes!.some((v) => v.endsWith(':/etc/nginx/iac-dharma-proxy.conf:ro')));

    const prom = YAML.parse(readFileSync(path.join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const job = prom.scrape_configs.find((j) => j.job_name === 'iac-dharma')!;
    assert.deepEqual(job.dns_sd_configs, [
      { names: ['api'], type: 'A', port: Number(env.METRICS_PORT), refresh_interval: '30s' },
    ]);
    for (const rules of prom.rule_files) {
      assert.ok(
        svc('prometheus').volumes!.some((v) => v.endsWith(`:/etc/prometheus/${rules}:ro`)),
        `${rules} mounted`,
      );
    }
  });

  it("PgBouncer: SCRAM, the design pools, and room for every replica's pool (replicas x DB_POOL_MAX <= max_client_conn)", () => {
    const ini = iniSettings(readFileSync(path.join(REPO, 'deploy/compose/pgbouncer/pgbouncer.ini'), 'utf8'));
    assert.equal(ini.auth_type, 'scram-sha-256');
    assert.equal(ini.pool_mode, 'transaction');
    assert.deepEqual([ini.max_client_conn, ini.default_pool_size, ini.max_db_connections], ['1000', '25', '100']);
    const api = svc('api');
    assert.ok(Number(api.deploy!.replicas) * Number(api.environment!.DB_POOL_MAX) <= Number(ini.max_client_conn));
    const pg = command(svc('postgres')).join(' ');
    assert.ok(Number(/max_connections=(\d+)/.exec(pg)![1]) > Number(ini.max_db_connections) + 3);
  });

  it('Redis runs as a pure cache: maxmemory with allkeys-lru, nothing persisted', () => {
    const cmd = command(svc('redis'));
    const arg = (flag: string) => cmd[cmd.indexOf(flag) + 1];
    assert.equal(arg('--maxmemory-policy'), 'allkeys-lru');
    assert.match(arg('--maxmemory')!, /^\d+mb$/);
    assert.equal(arg('--save'), '');
    assert.equal(arg('--appendonly'), 'no');
  });

  it('Grafana gets the datasources its dashboard uses; traces reach Jaeger; logs reach Loki', () => {
    const ds = YAML.parse(
      readFileSync(path.join(REPO, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const dashboard = readFileSync(path.join(REPO, 'deploy/grafana/dashboards/iac-dharma-performance.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/"uid":\s*"([^"]+)"/g)].map((m) => m[1]!));
    const provided = new Set(ds.datasources.map((d) => d.uid));
    assert.ok(provided.has('prometheus') && used.has('prometheus'));
    for (const d of ds.datasources) {
      const host = new URL(d.url).hostname;
      assert.ok(compose.services[host], `datasource ${d.uid} points at service ${host}`);
    }
    assert.deepEqual(
      ds.datasources.map((d) => d.type),
      ['prometheus', 'loki', 'jaeger'],
    );
    assert.equal(new URL(svc('api').environment!.OTEL_EXPORTER_OTLP_ENDPOINT!).hostname, 'jaeger');
    const alloy = readFileSync(path.join(REPO, 'deploy/alloy/config.alloy'), 'utf8');
    assert.match(alloy, /url = "http:\/\/loki:3100\/loki\/api\/v1\/push"/);
    assert.match(alloy, /com\.docker\.compose\.project=iac-dharma/);
    assert.match(readFileSync(FILE, 'utf8'), /docker compose -p iac-dharma /, 'the project name Alloy selects on');
  });
});
