/**
 * fast-check generators of valid random blueprints: every catalogue type, counts (on networks too),
 * public and private variants, parameters wired into properties, counts and tags, all providers.
 * Sizes come from the price table, so every generated blueprint can also be priced.
 */
import fc from 'fast-check';
import {
  RESOURCE_TYPES,
  type BlueprintResource,
  type BlueprintSpec,
  type Provider,
  type ResourceType,
} from '../../../src/engines/types.js';

const SKUS: Record<Provider, { vm: string[]; db: string[]; cache: string[]; disk: string[]; region: string[] }> = {
  aws: {
    vm: ['t3.micro', 't3.medium', 'm5.large'],
    db: ['db.t3.micro', 'db.t3.small'],
    cache: ['cache.t3.micro', 'cache.t3.small'],
    disk: ['gp3', 'gp2', 'st1'],
    region: ['us-east-1', 'eu-west-1'],
  },
  azure: {
    vm: ['Standard_B1s', 'Standard_B2s', 'Standard_D2s_v5'],
    db: ['B_Standard_B1ms', 'B_Standard_B2s'],
    cache: ['Basic_C0', 'Standard_C1'],
    disk: ['StandardSSD_LRS', 'Premium_LRS'],
    region: ['eastus', 'westeurope'],
  },
  gcp: {
    vm: ['e2-micro', 'e2-medium', 'n2-standard-2'],
    db: ['db-f1-micro', 'db-g1-small'],
    cache: ['1gb', '5gb'],
    disk: ['pd-balanced', 'pd-ssd'],
    region: ['us-central1', 'europe-west1'],
  },
};

/** The subnets every generated blueprint has: two private, two public, in four zones' worth of order. */
export const SUBNETS = [
  { name: 'priv-a', cidr: '10.0.0.0/20', public: false },
  { name: 'priv-b', cidr: '10.0.16.0/20', public: false },
  { name: 'pub-a', cidr: '10.0.32.0/20', public: true },
  { name: 'pub-b', cidr: '10.0.48.0/20', public: true },
] as const;

// Every catalogue type but network and subnet, which the generator lays out itself.
const TYPES: ResourceType[] = RESOURCE_TYPES.filter((t) => t !== 'network' && t !== 'subnet');

interface Item {
  type: ResourceType;
  pick: number;
  flag: boolean;
  wired: boolean;
  count: number | undefined;
}

// Parameters the generated properties may reference, with their defaults.
const PARAMS: Record<string, { type: string; default: unknown }> = {
  env: { type: 'string', default: 'dev' },
  netCidr: { type: 'string', default: '10.0.0.0/16' },
  privCidr: { type: 'string', default: '10.0.0.0/20' },
  webCount: { type: 'integer', default: 2 },
  dbStorage: { type: 'integer', default: 50 },
  bucketPublic: { type: 'boolean', default: false },
  openEndpoint: { type: 'boolean', default: false },
  label: { type: 'string', default: 'blue' },
};

function props(it: Item, p: Provider, uses: Set<string>): Record<string, unknown> {
  const s = SKUS[p];
  const at = <T>(xs: T[]) => xs[it.pick % xs.length]!;
  const param = (name: string) => (uses.add(name), `\${param.${name}}`);
  const sub = SUBNETS[it.pick % SUBNETS.length]!.name;
  switch (it.type) {
    case 'vm':
      return {
        size: at(s.vm),
        subnet: sub,
        securityGroups: ['sg'],
        publicIp: it.flag,
        ...(it.pick % 2 ? { diskGb: 10 + it.pick } : {}),
      };
    case 'disk': {
      const type = at(s.disk);
      return { sizeGb: type === 'st1' ? 125 + it.pick : 10 + it.pick * 7, diskType: type, encrypted: !it.flag };
    }
    case 'bucket':
      return { public: it.wired ? param('bucketPublic') : it.flag, versioning: !it.flag, encrypted: it.pick % 3 !== 0 };
    case 'database':
      return {
        engine: it.flag ? 'mysql' : 'postgres',
        size: at(s.db),
        storageGb: it.wired ? param('dbStorage') : 20 + it.pick,
        multiAz: it.flag,
        ...(it.pick % 2 ? { subnets: ['priv-a', 'priv-b'] } : {}),
      };
    case 'cache':
      return { size: at(s.cache), nodes: 1 + (it.pick % 3) };
    case 'load_balancer':
      return {
        kind: it.flag ? 'network' : 'application',
        public: it.flag,
        subnets: it.flag ? ['pub-a', 'pub-b'] : ['priv-a', 'priv-b'],
      };
    case 'nat_gateway':
      return { subnet: 'pub-a' };
    case 'kubernetes_cluster':
      return {
        nodeSize: at(s.vm),
        nodeCount: 1 + it.pick,
        subnets: ['priv-a', 'priv-b'],
        publicEndpoint: it.wired ? param('openEndpoint') : it.flag,
      };
    case 'function':
      return {
        runtime: it.flag ? 'python3.12' : 'nodejs22',
        memoryMb: 128 * (1 + it.pick),
        handler: it.wired ? `${param('label')}.handler` : 'index.handler',
      };
    case 'queue':
      return { fifo: it.flag };
    default:
      return {
        network: 'net',
        description: it.wired ? `rules for ${param('label')}` : 'rules',
        ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443 + it.pick, cidr: '10.0.0.0/8' }],
      };
  }
}

/** A random valid blueprint; `maxCount` bounds every resource's count. */
export function randomBlueprint(
  maxCount = 4,
  providers: Provider[] = ['aws', 'azure', 'gcp'],
): fc.Arbitrary<BlueprintSpec> {
  const count = fc.option(fc.integer({ min: 1, max: maxCount }), { nil: undefined });
  return fc
    .record({
      provider: fc.constantFrom<Provider>(...providers),
      regionPick: fc.nat(1),
      netCount:
        maxCount > 1
          ? fc.oneof(fc.constant(undefined), fc.integer({ min: 2, max: Math.min(3, maxCount) }))
          : fc.constant(undefined),
      subnetCounts: fc.tuple(count, count, count, count),
      autoIp: fc.boolean(),
      wiredNet: fc.boolean(),
      wiredTag: fc.boolean(),
      items: fc.array(
        fc.record({ type: fc.constantFrom(...TYPES), pick: fc.nat(6), flag: fc.boolean(), wired: fc.boolean(), count }),
        { minLength: 1, maxLength: 8 },
      ),
    })
    .map(({ provider, regionPick, netCount, subnetCounts, autoIp, wiredNet, wiredTag, items: drawn }) => {
      // On GCP a subnet takes one Cloud NAT, and a NAT must serve a subnet: one NAT per network copy.
      let nats = 0;
      const items = drawn
        .filter((it) => provider !== 'gcp' || it.type !== 'nat_gateway' || nats++ === 0)
        .map((it) => (provider === 'gcp' && it.type === 'nat_gateway' ? { ...it, count: netCount } : it));
      const uses = new Set<string>();
      const param = (name: string) => (uses.add(name), `\${param.${name}}`);
      // With a counted network every subnet and group needs a copy in every network copy.
      const perNet = (c: number | undefined) =>
        netCount === undefined ? c : netCount * (c === undefined ? 1 : 1 + (c % 2));
      const resources: BlueprintResource[] = [
        {
          name: 'net',
          type: 'network',
          properties: { cidr: wiredNet && netCount === undefined ? param('netCidr') : '10.0.0.0/16' },
          ...(netCount === undefined ? {} : { count: netCount }),
        },
        ...SUBNETS.map((s, k) => {
          const c = perNet(subnetCounts[k]);
          return {
            name: s.name,
            type: 'subnet' as const,
            properties: {
              network: 'net',
              cidr: k === 0 && wiredNet && netCount === undefined ? param('privCidr') : s.cidr,
              public: s.public,
              ...(s.public ? { autoAssignPublicIp: autoIp } : {}),
            },
            ...(c === undefined ? {} : { count: c }),
          };
        }),
        {
          name: 'sg',
          type: 'security_group',
          properties: { network: 'net', ingress: [] },
          ...(netCount === undefined ? {} : { count: netCount }),
        },
        ...items.map((it, i) => {
          const wiredCount = maxCount > 1 && it.type === 'vm' && it.wired && it.count !== undefined;
          const resource: BlueprintResource = {
            name: `${it.type.replace(/_/g, '-')}-${i}`,
            type: it.type,
            properties: props(it, provider, uses),
          };
          if (wiredCount) resource.count = param('webCount') as unknown as number;
          else if (it.count !== undefined) resource.count = it.count;
          if (it.type === 'security_group' && netCount !== undefined) resource.count = netCount;
          return resource;
        }),
      ];
      const tags = { Environment: wiredTag ? param('env') : 'dev', Owner: 'platform' };
      const parameters = {
        type: 'object',
        properties: Object.fromEntries([...uses].sort().map((n) => [n, PARAMS[n]!])),
      };
      return {
        id: 'random',
        version: '1.0.0',
        name: 'random',
        provider,
        region: SKUS[provider].region[regionPick]!,
        parameters,
        tags,
        resources,
      };
    });
}
