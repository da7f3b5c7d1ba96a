import { v7 } from 'uuid';

/** mulberry32: a tiny seeded PRNG, so the demo data set is the same on every run. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  };
}
export type Random = ReturnType<typeof createRandom>;

const EPOCH = Date.UTC(2026, 0, 1);

/** A deterministic UUIDv7 for the n-th seeded row: same seed, same id, so re-seeding is a no-op. */
export function seededId(rnd: Random, n: number): string {
  return v7({ msecs: EPOCH + n * 1000, random: rnd.bytes(16) });
}

const PROVIDERS = {
  aws: {
    regions: ['us-east-1'],
    vm: ['t3.micro', 't3.medium', 'm5.large'],
    db: ['db.t3.micro'],
    cache: ['cache.t3.micro'],
    disk: 'gp3',
  },
  azure: {
    regions: ['eastus'],
    vm: ['Standard_B1s', 'Standard_B2s'],
    db: ['B_Standard_B1ms'],
    cache: ['Basic_C0'],
    disk: 'StandardSSD_LRS',
  },
  gcp: {
    regions: ['us-central1'],
    vm: ['e2-micro', 'e2-medium'],
    db: ['db-f1-micro'],
    cache: ['1gb'],
    disk: 'pd-balanced',
  },
} as const;
type ProviderName = keyof typeof PROVIDERS;

type Resource = { name: string; type: string; properties: Record<string, unknown>; count?: number };

const SHAPES: { name: string; build: (p: ProviderName, r: Random) => Resource[] }[] = [
  {
    name: 'three-tier web app',
    build: (p, r) => [
      { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      // count: 2 puts the load balancer's subnet in two availability zones, as AWS requires.
      { name: 'public', type: 'subnet', count: 2, properties: { network: 'vpc', cidr: '10.0.1.0/24', public: true } },
      { name: 'private', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.2.0/24' } },
      {
        name: 'web-sg',
        type: 'security_group',
        properties: { network: 'vpc', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }] },
      },
      { name: 'lb', type: 'load_balancer', properties: { kind: 'application', public: true, subnets: ['public'] } },
      {
        name: 'web',
        type: 'vm',
        properties: { size: '${param.webSize}', image: 'ubuntu-22.04', subnet: 'private', diskGb: 30 },
        count: r.int(1, 4),
      },
      {
        name: 'db',
        type: 'database',
        properties: { engine: 'postgres', size: r.pick(PROVIDERS[p].db), storageGb: r.pick([20, 50, 100]) },
      },
    ],
  },
  {
    name: 'event pipeline',
    build: () => [
      { name: 'ingest', type: 'queue', properties: { fifo: false } },
      { name: 'worker', type: 'function', properties: { runtime: 'nodejs22', memoryMb: 512 } },
      { name: 'archive', type: 'bucket', properties: { versioning: true } },
    ],
  },
  {
    name: 'kubernetes platform',
    build: (p, r) => [
      { name: 'vpc', type: 'network', properties: { cidr: '10.10.0.0/16' } },
      { name: 'nodes', type: 'subnet', properties: { network: 'vpc', cidr: '10.10.0.0/20' } },
      // The NAT lives in a public subnet (its internet gateway) and serves the private one.
      { name: 'edge', type: 'subnet', properties: { network: 'vpc', cidr: '10.10.16.0/24', public: true } },
      { name: 'egress', type: 'nat_gateway', properties: { subnet: 'edge' } },
      {
        name: 'cluster',
        type: 'kubernetes_cluster',
        properties: { version: '1.29', nodeSize: r.pick(PROVIDERS[p].vm), nodeCount: r.int(2, 6) },
      },
      { name: 'sessions', type: 'cache', properties: { engine: 'redis', size: r.pick(PROVIDERS[p].cache), nodes: 1 } },
    ],
  },
  {
    name: 'batch workers',
    build: (p, r) => [
      { name: 'vpc', type: 'network', properties: { cidr: '172.16.0.0/16' } },
      { name: 'jobs', type: 'subnet', properties: { network: 'vpc', cidr: '172.16.1.0/24' } },
      {
        name: 'worker',
        type: 'vm',
        properties: { size: r.pick(PROVIDERS[p].vm), image: 'debian-12', subnet: 'jobs', diskGb: 50 },
        count: r.int(1, 8),
      },
      { name: 'scratch', type: 'disk', properties: { sizeGb: r.pick([100, 200, 500]), diskType: PROVIDERS[p].disk } },
      { name: 'results', type: 'bucket', properties: {} },
    ],
  },
];

const TEAMS = [
  'payments',
  'search',
  'identity',
  'checkout',
  'analytics',
  'mobile',
  'platform',
  'ml',
  'growth',
  'billing',
];

/** The n-th blueprint of a tenant: a realistic shape on a provider, with parameters and tags. */
export function makeBlueprint(r: Random, n: number) {
  const provider = r.pick(Object.keys(PROVIDERS) as ProviderName[]);
  const shape = r.pick(SHAPES);
  const team = r.pick(TEAMS);
  const env = r.pick(['dev', 'staging', 'prod']);
  return {
    name: `${team} ${shape.name} #${n}`,
    description: `${shape.name} for the ${team} team (${env}) on ${provider}`,
    provider,
    region: r.pick(PROVIDERS[provider].regions),
    status: r.next() < 0.7 ? ('published' as const) : ('draft' as const),
    parameters: { type: 'object', properties: { webSize: { type: 'string', default: PROVIDERS[provider].vm[0] } } },
    resources: shape.build(provider, r),
    tags: { Environment: env, Owner: team, CostCenter: `cc-${r.int(100, 999)}` },
  };
}
