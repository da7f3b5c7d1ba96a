// The Kubernetes manifests (deploy/kubernetes): both overlays render with kustomize, every
// rendered object passes the Kubernetes API schemas (strictly: unknown fields fail), and the
// pieces fit together: references resolve, probes, graceful termination, pool arithmetic,
// Redis eviction, the migration Job's order and connection, and scraping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  configMap,
  iniSettings,
  one,
  ofKind,
  render,
  schemaProblems,
  strictProblems,
  type K8sObject,
} from './lib/kubernetes.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}
interface Workload extends K8sObject {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}

const OVERLAYS = { dev: 'deploy/kubernetes/overlays/dev', prod: 'deploy/kubernetes/overlays/prod' } as const;
const rendered = Object.fromEntries(Object.entries(OVERLAYS).map(([k, dir]) => [k, render(dir)])) as Record<
  keyof typeof OVERLAYS,
  K8sObject[]
>;

const podSpecs = (objects: K8sObject[]): [K8sObject, PodSpec][] =>
  objects.flatMap((o) => {
    const spec = (o as Workload).spec;
    return spec?.template?.spec?.containers ? [[o, spec.template.spec] as [K8sObject, PodSpec]] : [];
  });
const envValue = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
const api = (objects: K8sObject[]) => one<Workload>(objects, 'Deployment', 'iac-dharma-api');
const apiConfig = (objects: K8sObject[]) => configMap(objects, 'iac-dharma-config').data;
const pgbouncerIni = (objects: K8sObject[]) =>
  iniSettings(configMap(objects, 'pgbouncer-config').data['pgbouncer.ini']!);

describe('Kubernetes manifests', () => {
  for (const [overlay, objects] of Object.entries(rendered)) {
    describe(`overlay ${overlay}`, () => {
      it('renders the API, PgBouncer, Redis, their config and the migration Job, all in the overlay namespace', () => {
        for (const [kind, name] of [
          ['Deployment', 'iac-dharma-api'],
          ['Service', 'iac-dharma-api'],
          ['HorizontalPodAutoscaler', 'iac-dharma-api'],
          ['PodDisruptionBudget', 'iac-dharma-api'],
          ['Job', 'iac-dharma-migrate'],
          ['Deployment', 'pgbouncer'],
          ['Service', 'pgbouncer'],
          ['Deployment', 'redis'],
          ['Service', 'redis'],
        ]) {
          assert.equal(ofKind(objects, kind!, name).length, 1, `${kind}/${name}`);
        }
        const ns = ofKind(objects, 'Namespace');
        assert.equal(ns.length, 1);
        for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
          assert.equal(o.metadata.namespace, ns[0]!.metadata.name, `${o.kind}/${o.metadata.name}`);
        }
      });

      it('every object passes the Kubernetes JSON schema', async () => {
        const problems = (await Promise.all(objects.map(schemaProblems))).flat();
        assert.deepEqual(problems, []);
      });

      it('every object passes the strict check (no field the API does not know, no wrong type)', () => {
        assert.deepEqual(strictProblems(objects), []);
      });

      it('every ConfigMap, Secret and key a pod refers to exists (prod: the Secret the operator creates)', () => {
        const cms = new Map(
          ofKind<K8sObject & { data: Record<string, string> }>(objects, 'ConfigMap').map((c) => [
            c.metadata.name,
            c.data,
          ]),
        );
        const secrets = new Map(
          ofKind<K8sObject & { stringData?: Record<string, string>; data?: Record<string, string> }>(
            objects,
            'Secret',
          ).map((s) => [s.metadata.name, { ...s.data, ...s.stringData }]),
        );
        const devSecretKeys = Object.keys(
          ofKind<K8sObject & { data: Record<string, string> }>(rendered.dev, 'Secret', 'iac-dharma-secrets')[0]!.data,
        );
        const secretHas = (name: string, key?: string) => {
          const s = secrets.get(name);
          if (s) return key === undefined || key in s;
          // Not rendered (prod): only the operator-made Secret, with the keys dev generates.
          return (
            overlay === 'prod' && name === 'iac-dharma-secrets' && (key === undefined || devSecretKeys.includes(key))
          );
        };
        for (const [o, spec] of podSpecs(objects)) {
          const where = `${o.kind}/${o.metadata.name}`;
          for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
            for (const e of c.env ?? []) {
              const cm = e.valueFrom?.configMapKeyRef;
              const sk = e.valueFrom?.secretKeyRef;
              if (cm)
                assert.ok(
                  cms.get(cm.name)?.[cm.key] !== undefined,
                  `${where} ${e.name}: ConfigMap ${cm.name} key ${cm.key}`,
                );
              if (sk) assert.ok(secretHas(sk.name, sk.key), `${where} ${e.name}: Secret ${sk.name} key ${sk.key}`);
            }
            for (const f of c.envFrom ?? []) {
              if (f.configMapRef)
                assert.ok(cms.has(f.configMapRef.name), `${where}: envFrom ConfigMap ${f.configMapRef.name}`);
              if (f.secretRef) assert.ok(secretHas(f.secretRef.name), `${where}: envFrom Secret ${f.secretRef.name}`);
            }
          }
          for (const v of spec.volumes ?? []) {
            if (v.configMap) assert.ok(cms.has(v.configMap.name), `${where}: volume ConfigMap ${v.configMap.name}`);
            if (v.secret) assert.ok(secretHas(v.secret.secretName), `${where}: volume Secret ${v.secret.secretName}`);
          }
        }
      });

      it('$(VAR) in an env value names a variable defined before it (else Kubernetes leaves it verbatim)', () => {
        for (const [o, spec] of podSpecs(objects)) {
          for (const c of spec.containers) {
            const known = new Set<string>();
            for (const f of c.envFrom ?? []) {
              if (f.configMapRef)
                for (const k of Object.keys(configMap(objects, f.configMapRef.name.replace(/-[a-z0-9]{10}$/, '')).data))
                  known.add(k);
            }
            for (const e of c.env ?? []) {
              for (const m of (e.value ?? '').matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)) {
                assert.ok(
                  known.has(m[1]!),
                  `${o.kind}/${o.metadata.name} ${e.name} uses $(${m[1]}) before it is defined`,
                );
              }
              known.add(e.name);
            }
          }
        }
      });

      it('Services and the PodDisruptionBudgets select pods that exist, on ports those pods name', () => {
        const pods = podSpecs(objects).map(([o, spec]) => ({
          labels: (o as Workload).spec.template.metadata.labels,
          spec,
        }));
        const matches = (sel: Record<string, string>) =>
          pods.filter((p) => Object.entries(sel).every(([k, v]) => p.labels[k] === v));
        for (const s of ofKind<
          K8sObject & { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } }
        >(objects, 'Service')) {
          const selected = matches(s.spec.selector);
          assert.ok(selected.length > 0, `Service ${s.metadata.name} selects no pod`);
          for (const p of s.spec.ports) {
            const named = selected[0]!.spec.containers.flatMap((c) => c.ports ?? []);
            assert.ok(
              named.some((n) => n.name === p.targetPort || n.containerPort === p.targetPort),
              `Service ${s.metadata.name}: targetPort ${p.targetPort}`,
            );
          }
        }
        for (const pdb of ofKind<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>(
          objects,
          'PodDisruptionBudget',
        )) {
          assert.ok(matches(pdb.spec.selector.matchLabels).length > 0, `PDB ${pdb.metadata.name}`);
        }
      });

      it('the API pods: health probes, requests and limits, MIGRATE=false, metrics port, drain within the grace period', () => {
        const d = api(objects);
        const spec = d.spec.template.spec;
        const c = spec.containers[0]!;
        assert.equal(c.livenessProbe?.httpGet?.path, '/health/live');
        assert.equal(c.readinessProbe?.httpGet?.path, '/health/ready');
        for (const container of podSpecs(objects).flatMap(([, s]) => s.containers)) {
          assert.ok(
            container.resources?.requests?.cpu && container.resources.requests.memory,
            `${container.name} requests`,
          );
          assert.ok(container.resources?.limits?.memory, `${container.name} memory limit`);
        }
        const cfg = apiConfig(objects);
        assert.equal(cfg.MIGRATE, 'false');
        assert.equal(cfg.NODE_ENV, 'production');
        assert.equal(cfg.METRICS_HOST, '0.0.0.0');
        const metricsPort = c.ports!.find((p) => p.name === 'metrics')!.containerPort;
        assert.equal(String(metricsPort), cfg.METRICS_PORT);
        assert.equal(d.spec.template.metadata.annotations?.['prometheus.io/port'], cfg.METRICS_PORT);
        assert.equal(String(c.ports!.find((p) => p.name === 'http')!.containerPort), cfg.PORT);
        // SIGTERM comes after preStop; the drain (SHUTDOWN_TIMEOUT_MS) must end before SIGKILL.
        const preStop = c.lifecycle?.preStop?.exec?.command;
        assert.deepEqual(preStop?.slice(0, 1), ['sleep']);
        const budgetMs = (spec.terminationGracePeriodSeconds ?? 30) * 1000;
        assert.ok(
          Number(preStop![1]) * 1000 + Number(cfg.SHUTDOWN_TIMEOUT_MS) < budgetMs,
          `preStop ${preStop![1]} s + SHUTDOWN_TIMEOUT_MS ${cfg.SHUTDOWN_TIMEOUT_MS} < grace ${budgetMs} ms`,
        );
        assert.equal(d.spec.replicas, undefined, 'the HPA owns the replica count');
      });

      it('the HPA scales the API Deployment, and its maximum fits PgBouncer (replicas x DB_POOL_MAX <= max_client_conn)', () => {
        const hpa = one<
          K8sObject & {
            spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
          }
        >(objects, 'HorizontalPodAutoscaler', 'iac-dharma-api');
        assert.deepEqual(
          [hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name],
          ['Deployment', 'iac-dharma-api'],
        );
        assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
        const ini = pgbouncerIni(objects);
        const cfg = apiConfig(objects);
        // A rolling update adds maxSurge (25 %) pods on top of the maximum.
        const peakPods = Math.ceil(hpa.spec.maxReplicas * 1.25);
        assert.ok(
          peakPods * Number(cfg.DB_POOL_MAX) <= Number(ini.max_client_conn),
          `${peakPods} x ${cfg.DB_POOL_MAX}`,
        );
      });

      it('PgBouncer: the standard pools (1000 / 25), transaction mode, SCRAM, and at most 100 server connections across its pods', () => {
        const ini = pgbouncerIni(objects);
        assert.equal(ini.pool_mode, 'transaction');
        assert.equal(ini.max_client_conn, '1000');
        assert.equal(ini.default_pool_size, '25');
        assert.equal(ini.auth_type, 'scram-sha-256');
        const pods = one<Workload>(objects, 'Deployment', 'pgbouncer').spec.replicas ?? 1;
        assert.ok(pods * Number(ini.max_db_connections) <= 100, `${pods} pods x ${ini.max_db_connections}`);
        assert.ok(Number(ini.default_pool_size) <= Number(ini.max_db_connections));
        assert.match(
          configMap(objects, 'pgbouncer-config').data['pgbouncer.ini']!,
          /^%include \/run\/pgbouncer\/databases\.ini$/m,
        );
      });

      it('Redis: maxmemory with allkeys-lru (any key may be evicted), no persistence, limit above maxmemory', () => {
        const conf = configMap(objects, 'redis-config').data['redis.conf']!;
        assert.match(conf, /^maxmemory-policy allkeys-lru$/m);
        const maxmemory = /^maxmemory (\d+)mb$/m.exec(conf);
        assert.ok(maxmemory, 'maxmemory in mb');
        assert.match(conf, /^save ""$/m);
        assert.match(conf, /^appendonly no$/m);
        const limit = one<Workload>(objects, 'Deployment', 'redis').spec.template.spec.containers[0]!.resources!.limits!
          .memory!;
        assert.match(limit, /^\d+Mi$/);
        assert.ok(parseInt(limit, 10) > Number(maxmemory[1]) * 1.2, `${limit} vs maxmemory ${maxmemory[1]}mb`);
      });

      it("the migration Job runs the image's migrate command straight to PostgreSQL, and deploy.sh can apply it first", () => {
        const job = one<Workload & { metadata: { annotations: Record<string, string> } }>(
          objects,
          'Job',
          'iac-dharma-migrate',
        );
        const c = job.spec.template.spec.containers[0]!;
        assert.deepEqual(c.command, ['node', 'dist/migrate.js']);
        assert.equal(c.image, api(objects).spec.template.spec.containers[0]!.image, 'same image as the API');
        const url = envValue(c, 'MIGRATIONS_DATABASE_URL')!;
        assert.match(url, /@\$\(POSTGRES_HOST\):\$\(POSTGRES_PORT\)\//);
        const cfg = apiConfig(objects);
        assert.notEqual(cfg.POSTGRES_HOST, cfg.DB_HOST, 'the Job bypasses PgBouncer');
        assert.equal(job.metadata.annotations['argocd.argoproj.io/hook'], 'PreSync');
        // deploy.sh: step 1 applies component in (config, database), step 2 component=migration.
        const step1 = objects.filter((o) =>
          ['config', 'database'].includes(o.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
        );
        const step2 = objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'migration');
        assert.deepEqual(
          step2.map((o) => o.kind),
          ['Job'],
        );
        assert.ok(step1.some((o) => o.kind === 'Namespace'));
        for (const name of ['iac-dharma-config', 'pgbouncer-config', 'redis-config']) {
          assert.ok(step1.includes(configMap(objects, name)), `${name} is applied before the Job`);
        }
        assert.ok(!step1.some((o) => o.kind === 'Deployment'), 'no API or PgBouncer before the migration');
      });
    });
  }

  it('prod: 3..20 spread replicas, two PgBouncer pods on different nodes, a ServiceMonitor on the metrics port', () => {
    const objects = rendered.prod;
    const hpa = one<K8sObject & { spec: { minReplicas: number; maxReplicas: number } }>(
      objects,
      'HorizontalPodAutoscaler',
      'iac-dharma-api',
    );
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 20]);
    assert.ok(
      (api(objects).spec.template.spec as PodSpec & { topologySpreadConstraints?: unknown[] }).topologySpreadConstraints
        ?.length,
    );
    assert.equal(one<Workload>(objects, 'Deployment', 'pgbouncer').spec.replicas, 2);
    const sm = one<
      K8sObject & {
        spec: {
          selector: { matchLabels: Record<string, string> };
          endpoints: { port: string; path: string }[];
          jobLabel: string;
        };
      }
    >(objects, 'ServiceMonitor', 'iac-dharma-api');
    const svc = one<K8sObject & { spec: { ports: { name: string }[] } }>(objects, 'Service', 'iac-dharma-api');
    assert.ok(Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => svc.metadata.labels?.[k] === v));
    assert.deepEqual(
      sm.spec.endpoints.map((e) => [e.port, e.path]),
      [['metrics', '/metrics']],
    );
    assert.ok(svc.spec.ports.some((p) => p.name === 'metrics'));
    // The alert rules and the dashboard select job="iac-dharma".
    assert.equal(svc.metadata.labels?.[sm.spec.jobLabel], 'iac-dharma');
    assert.equal(ofKind(objects, 'Secret').length, 0, 'prod ships no secret values');
    assert.equal(ofKind(objects, 'StatefulSet').length, 0, 'prod uses a managed PostgreSQL');
  });

  it("dev: an in-cluster PostgreSQL with room for PgBouncer's server connections", () => {
    const objects = rendered.dev;
    const pg = one<Workload>(objects, 'StatefulSet', 'postgres');
    const args = pg.spec.template.spec.containers[0]!.args!.join(' ');
    const maxConnections = Number(/max_connections=(\d+)/.exec(args)?.[1]);
    const pods = one<Workload>(objects, 'Deployment', 'pgbouncer').spec.replicas ?? 1;
    // PgBouncer's cap, plus the migration Job and PostgreSQL's 3 reserved superuser slots.
    assert.ok(maxConnections >= pods * Number(pgbouncerIni(objects).max_db_connections) + 1 + 3);
    assert.equal(apiConfig(objects).POSTGRES_HOST, 'postgres');
  });

  it('the validators reject a misspelt field, a wrong type and a missing required field', async () => {
    const d = structuredClone(api(rendered.dev)) as Workload & { spec: Record<string, unknown> };
    const c = d.spec.template.spec.containers[0]! as Container & Record<string, unknown>;
    c.readinessprobe = c.readinessProbe;
    const j = structuredClone(one<Workload>(rendered.dev, 'Job', 'iac-dharma-migrate'));
    delete (j.spec.template.spec.containers[0] as Partial<Container>).name;
    const hpa = structuredClone(one(rendered.dev, 'HorizontalPodAutoscaler', 'iac-dharma-api')) as K8sObject & {
      spec: { maxReplicas: unknown };
    };
    hpa.spec.maxReplicas = 'ten';
    const strict = strictProblems([d, j, hpa]).join('\n');
    assert.match(strict, /Deployment\/iac-dharma-api: .*'"readinessprobe"' does not exist in type 'IContainer'/);
    assert.match(strict, /Job\/iac-dharma-migrate: Property '"name"' is missing/);
    assert.match(strict, /HorizontalPodAutoscaler\/iac-dharma-api: Type 'string' is not assignable to type 'number'/);
    assert.match((await schemaProblems(j)).join(), /must have required property name/);
    assert.match((await schemaProblems(hpa)).join(), /maxReplicas must be integer/);
  });
});
