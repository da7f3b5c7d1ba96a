/** Blueprints shared by the engine tests and the benchmark. */
import type { BlueprintSpec, Provider } from '../../../src/engines/types.js';

const SIZES: Record<Provider, { vm: string; db: string; cache: string; node: string; disk: string; region: string }> = {
  aws: {
    vm: 't3.micro',
    db: 'db.t3.micro',
    cache: 'cache.t3.micro',
    node: 't3.medium',
    disk: 'gp3',
    region: 'us-east-1',
  },
  azure: {
    vm: 'Standard_B1s',
    db: 'B_Standard_B1ms',
    cache: 'Basic_C0',
    node: 'Standard_B2s',
    disk: 'StandardSSD_LRS',
    region: 'eastus',
  },
  gcp: {
    vm: 'e2-micro',
    db: 'db-f1-micro',
    cache: '1gb',
    node: 'e2-medium',
    disk: 'pd-balanced',
    region: 'us-central1',
  },
};

/** Default region of the fixtures per provider. */
export const REGION: Record<Provider, string> = { aws: 'us-east-1', azure: 'eastus', gcp: 'us-central1' };

/** A blueprint with every catalogue type, clean with respect to the default guardrails. */
export function fullBlueprint(provider: Provider): BlueprintSpec {
  const s = SIZES[provider];
  return {
    id: `fixture-${provider}`,
    version: '1.0.0',
    name: `Full ${provider} stack`,
    provider,
    region: s.region,
    parameters: {
      type: 'object',
      properties: {
        env: { type: 'string', enum: ['dev', 'prod'], default: 'dev', description: 'Deployment environment' },
        webSize: { type: 'string', default: s.vm },
        webCount: { type: 'integer', minimum: 1, maximum: 10, default: 2 },
      },
    },
    tags: { Environment: '${param.env}', Owner: 'platform', CostCenter: 'cc-42' },
    resources: [
      { name: 'main', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      // count: 2 spreads each subnet over two availability zones (what the load balancer, the
      // database subnet group and the cluster need on AWS).
      { name: 'app', type: 'subnet', count: 2, properties: { network: 'main', cidr: '10.0.1.0/24' } },
      { name: 'edge', type: 'subnet', count: 2, properties: { network: 'main', cidr: '10.0.2.0/24', public: true } },
      {
        name: 'web-sg',
        type: 'security_group',
        properties: {
          network: 'main',
          ingress: [
            { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' },
            { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '10.0.0.0/8' },
          ],
        },
      },
      {
        name: 'web',
        type: 'vm',
        count: 2,
        properties: { size: '${param.webSize}', subnet: 'app', securityGroups: ['web-sg'], diskGb: 30 },
      },
      { name: 'data', type: 'disk', properties: { sizeGb: 100, diskType: s.disk } },
      { name: 'assets', type: 'bucket', properties: { versioning: true } },
      { name: 'db', type: 'database', properties: { engine: 'postgres', size: s.db, storageGb: 50, subnets: ['app'] } },
      { name: 'sessions', type: 'cache', properties: { size: s.cache, nodes: 1 } },
      { name: 'lb', type: 'load_balancer', properties: { kind: 'application', public: true, subnets: ['edge'] } },
      { name: 'nat', type: 'nat_gateway', properties: { subnet: 'edge' } },
      {
        name: 'k8s',
        type: 'kubernetes_cluster',
        properties: { version: '1.30', nodeSize: s.node, nodeCount: 3, subnets: ['app'] },
      },
      { name: 'fn', type: 'function', properties: { runtime: 'nodejs22', memoryMb: 512 } },
      { name: 'jobs', type: 'queue', properties: { fifo: true } },
      { name: 'named', type: 'vm', properties: { size: s.vm, image: 'debian-12' } },
    ],
  };
}

/** One single-resource blueprint per catalogue type, for type × provider sweeps. */
export function singleTypeBlueprints(provider: Provider): BlueprintSpec[] {
  const full = fullBlueprint(provider);
  const byName = new Map(full.resources.map((r) => [r.name, r]));
  const deps: Record<string, string[]> = {
    app: ['main'],
    edge: ['main'],
    'web-sg': ['main'],
    web: ['main', 'app', 'web-sg'],
    db: ['main', 'app'],
    lb: ['main', 'edge'],
    nat: ['main', 'edge'],
    k8s: ['main', 'app'],
  };
  const pick = ['main', 'app', 'web-sg', 'web', 'data', 'assets', 'db', 'sessions', 'lb', 'nat', 'k8s', 'fn', 'jobs'];
  return pick.map((name) => ({
    ...full,
    id: `${full.id}-${name}`,
    resources: [...(deps[name] ?? []).map((d) => byName.get(d)!), byName.get(name)!],
  }));
}

/** A blueprint of `n` resources (cycled through the catalogue) for the benchmark. */
export function largeBlueprint(provider: Provider, n: number): BlueprintSpec {
  const full = fullBlueprint(provider);
  // The network, its subnets, its group and its NAT once; everything else cycled (one NAT per
  // network is what a blueprint has: on Azure and GCP a subnet takes a single NAT).
  const fixed = ['main', 'app', 'edge', 'web-sg', 'nat'];
  const base = full.resources.filter((r) => !fixed.includes(r.name));
  const resources = full.resources.filter((r) => fixed.includes(r.name));
  for (let i = 0; resources.length < n; i++) {
    const t = base[i % base.length]!;
    resources.push({ ...t, name: `${t.name}-${i}` });
  }
  return { ...full, id: `large-${provider}-${n}`, resources };
}
