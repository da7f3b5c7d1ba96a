/** fast-check generators of valid random blueprints (sizes taken from the price table). */
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

// Every catalogue type but network and subnet, which the generator adds itself for references.
const TYPES: ResourceType[] = RESOURCE_TYPES.filter((t) => t !== 'network' && t !== 'subnet');

function props(type: ResourceType, p: Provider, pick: number, flag: boolean): Record<string, unknown> {
  const s = SKUS[p];
  const at = <T>(xs: T[]) => xs[pick % xs.length]!;
  switch (type) {
    case 'vm':
      return { size: at(s.vm), subnet: 'app', diskGb: 10 + pick, publicIp: flag };
    case 'disk':
      return { sizeGb: 1 + pick * 7, diskType: at(s.disk), encrypted: !flag };
    case 'bucket':
      return { public: flag, versioning: !flag };
    case 'database':
      return { engine: flag ? 'mysql' : 'postgres', size: at(s.db), storageGb: 20 + pick, multiAz: flag };
    case 'cache':
      return { size: at(s.cache), nodes: 1 + (pick % 3) };
    case 'load_balancer':
      return { kind: flag ? 'network' : 'application', public: flag, subnets: ['app'] };
    case 'nat_gateway':
      return { subnet: 'app' };
    case 'kubernetes_cluster':
      return { nodeSize: at(s.vm), nodeCount: 1 + pick, subnets: ['app'] };
    case 'function':
      return { runtime: flag ? 'python3.12' : 'nodejs20', memoryMb: 128 * (1 + pick) };
    case 'queue':
      return { fifo: flag };
    default:
      return { network: 'net', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443 + pick, cidr: '10.0.0.0/8' }] };
  }
}

/** A random valid blueprint; `maxCount` bounds every resource's count. */
export function randomBlueprint(
  maxCount = 4,
  providers: Provider[] = ['aws', 'azure', 'gcp'],
): fc.Arbitrary<BlueprintSpec> {
  return fc
    .record({
      provider: fc.constantFrom<Provider>(...providers),
      regionPick: fc.nat(1),
      items: fc.array(
        fc.record({
          type: fc.constantFrom(...TYPES),
          pick: fc.nat(6),
          flag: fc.boolean(),
          count: fc.option(fc.integer({ min: 1, max: maxCount }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 8 },
      ),
    })
    .map(({ provider, regionPick, items }) => {
      const resources: BlueprintResource[] = [
        { name: 'net', type: 'network', properties: { cidr: '10.0.0.0/16' } },
        { name: 'app', type: 'subnet', properties: { network: 'net', cidr: '10.0.1.0/24' } },
        ...items.map((it, i) => ({
          name: `${it.type.replace(/_/g, '-')}-${i}`,
          type: it.type,
          properties: props(it.type, provider, it.pick, it.flag),
          ...(it.count === undefined ? {} : { count: it.count }),
        })),
      ];
      return {
        id: 'random',
        version: '1.0.0',
        name: 'random',
        provider,
        region: SKUS[provider].region[regionPick]!,
        parameters: {},
        tags: { Environment: 'dev' },
        resources,
      };
    });
}
