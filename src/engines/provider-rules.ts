/**
 * What each provider accepts for the catalogue's values: SKU formats, disk types and sizes, engine
 * and Kubernetes versions, CIDR prefix lengths. Checked when a blueprint is saved and again when
 * it is generated, so a saved blueprint never produces code the cloud refuses for these reasons.
 * Version lists are the providers' supported versions of early 2025; keep them current.
 */
import { resolveImage } from './catalogue-mappings.js';
import type { IssueSink } from './errors.js';
import type { Provider, ResourceType } from './types.js';

interface Range {
  min: number;
  max: number;
}

interface ProviderRules {
  vmSize: RegExp;
  dbSize: RegExp;
  cacheSize: RegExp;
  /** Disk type → size range (GB). */
  diskTypes: Record<string, Range>;
  /** Allowed prefix lengths of a network and of a subnet. */
  networkPrefix: Range;
  subnetPrefix: Range;
  /** Major versions per engine; `engineVersion` is "major" or "major.minor[.patch]". */
  engineMajors: { postgres: string[]; mysql: string[] };
  storageGb: { postgres: Range; mysql: Range };
  kubernetesVersions: string[];
}

const K8S = ['1.29', '1.30', '1.31', '1.32'];

/** The rules per provider. */
export const PROVIDER_RULES: Readonly<Record<Provider, ProviderRules>> = {
  aws: {
    vmSize: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
    dbSize: /^db\.[a-z0-9-]+\.[a-z0-9]+$/,
    cacheSize: /^cache\.[a-z0-9-]+\.[a-z0-9]+$/,
    diskTypes: {
      gp3: { min: 1, max: 16384 },
      gp2: { min: 1, max: 16384 },
      io1: { min: 4, max: 16384 },
      io2: { min: 4, max: 65536 },
      st1: { min: 125, max: 16384 },
      sc1: { min: 125, max: 16384 },
      standard: { min: 1, max: 1024 },
    },
    networkPrefix: { min: 16, max: 28 },
    subnetPrefix: { min: 16, max: 28 },
    engineMajors: { postgres: ['13', '14', '15', '16', '17'], mysql: ['8.0', '8.4'] },
    storageGb: { postgres: { min: 20, max: 65536 }, mysql: { min: 20, max: 65536 } },
    kubernetesVersions: K8S,
  },
  azure: {
    vmSize: /^(Standard|Basic)_[A-Za-z0-9_]+$/,
    dbSize: /^(B|GP|MO)_Standard_[A-Za-z0-9_]+$/,
    cacheSize: /^(Basic_C[0-6]|Standard_C[0-6]|Premium_P[1-5])$/,
    diskTypes: {
      Standard_LRS: { min: 1, max: 32767 },
      StandardSSD_LRS: { min: 1, max: 32767 },
      StandardSSD_ZRS: { min: 1, max: 32767 },
      Premium_LRS: { min: 1, max: 32767 },
      Premium_ZRS: { min: 1, max: 32767 },
    },
    networkPrefix: { min: 8, max: 29 },
    subnetPrefix: { min: 8, max: 29 },
    engineMajors: { postgres: ['13', '14', '15', '16'], mysql: ['8.0'] },
    storageGb: { postgres: { min: 20, max: 32767 }, mysql: { min: 20, max: 16384 } },
    kubernetesVersions: K8S,
  },
  gcp: {
    vmSize: /^[a-z][a-z0-9]*-[a-z0-9-]+$/,
    dbSize: /^db-(f1-micro|g1-small|custom-[0-9]+-[0-9]+|[a-z][a-z0-9]*-[a-z0-9-]+)$/,
    cacheSize: /^([1-9][0-9]?|[12][0-9]{2}|300)gb$/,
    diskTypes: {
      'pd-standard': { min: 10, max: 65536 },
      'pd-balanced': { min: 10, max: 65536 },
      'pd-ssd': { min: 10, max: 65536 },
      'pd-extreme': { min: 500, max: 65536 },
    },
    networkPrefix: { min: 8, max: 29 },
    subnetPrefix: { min: 8, max: 29 },
    engineMajors: { postgres: ['13', '14', '15', '16', '17'], mysql: ['8.0', '8.4'] },
    storageGb: { postgres: { min: 20, max: 65536 }, mysql: { min: 20, max: 65536 } },
    kubernetesVersions: K8S,
  },
};

/** Database engine version each provider gets when the blueprint names none. */
export const DEFAULT_ENGINE_VERSIONS: Readonly<Record<Provider, { postgres: string; mysql: string }>> = {
  aws: { postgres: '16.6', mysql: '8.4.3' },
  azure: { postgres: '16', mysql: '8.0.21' },
  gcp: { postgres: '16', mysql: '8.4' },
};

/** The major version of an engine version string ("16.4" → "16", "8.0.40" → "8.0"). */
export function engineMajor(engine: string, version: string): string {
  const parts = version.split('.');
  return engine === 'mysql' ? parts.slice(0, 2).join('.') : parts[0]!;
}

/** The engine version as the provider's API spells it. */
export function providerEngineVersion(provider: Provider, engine: string, version: string | undefined): string {
  const v = version ?? DEFAULT_ENGINE_VERSIONS[provider][engine === 'mysql' ? 'mysql' : 'postgres'];
  const major = engineMajor(engine, v);
  if (provider === 'azure') return engine === 'mysql' ? (major === '8.0' ? '8.0.21' : major) : major;
  if (provider === 'gcp') return `${engine === 'mysql' ? 'MYSQL' : 'POSTGRES'}_${major.replace('.', '_')}`;
  return v;
}

/** Allowed Azure PostgreSQL flexible server storage sizes (MB): a request is rounded up to the next. */
export const STORAGE_MB = [
  32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408,
];

/** The storage (MB) Azure provisions, and bills, for a PostgreSQL flexible server of `gb` GB. */
export function postgresStorageMb(gb: number): number {
  return STORAGE_MB.find((mb) => mb >= gb * 1024) ?? STORAGE_MB[STORAGE_MB.length - 1]!;
}

/** The (inclusive) prefix-length range allowed for a network or subnet CIDR. */
export function prefixRange(provider: Provider, type: 'network' | 'subnet'): Range {
  return PROVIDER_RULES[provider][type === 'network' ? 'networkPrefix' : 'subnetPrefix'];
}

function outside(v: number, r: Range): boolean {
  return v < r.min || v > r.max;
}

/** Where checkProviderValues reports: the properties' pointer and the keys not known yet. */
export interface ValueSite {
  basePath: string;
  unknown: ReadonlySet<string>;
  sink: IssueSink;
}

const at = (site: ValueSite, key: string) => `${site.basePath}/${key}`; // catalogue keys need no escaping

// A string property's value, unless it is not known yet.
function str(p: Record<string, unknown>, key: string, site: ValueSite): string | undefined {
  const v = p[key];
  return typeof v === 'string' && !site.unknown.has(key) ? v : undefined;
}

function sku(p: Record<string, unknown>, key: string, re: RegExp, what: string, provider: Provider, site: ValueSite) {
  const v = str(p, key, site);
  if (v !== undefined && !re.test(v))
    site.sink.add('invalid_property', `"${v}" is not a ${provider} ${what}`, at(site, key));
}

/** Reports the values of one resource's (defaulted) properties that its provider does not accept. */
export function checkProviderValues(
  type: ResourceType,
  provider: Provider,
  p: Record<string, unknown>,
  site: ValueSite,
): void {
  const rules = PROVIDER_RULES[provider];
  const sink = site.sink;
  switch (type) {
    case 'vm': {
      sku(p, 'size', rules.vmSize, 'VM size', provider, site);
      const image = str(p, 'image', site);
      if (image !== undefined) sink.guard(() => void resolveImage(image, provider, at(site, 'image')));
      return;
    }
    case 'kubernetes_cluster': {
      sku(p, 'nodeSize', rules.vmSize, 'VM size', provider, site);
      const v = str(p, 'version', site);
      if (v !== undefined && !rules.kubernetesVersions.includes(v))
        sink.add(
          'invalid_property',
          `Kubernetes ${v} is not offered on ${provider} (supported: ${rules.kubernetesVersions.join(', ')})`,
          at(site, 'version'),
        );
      return;
    }
    case 'cache':
      return sku(p, 'size', rules.cacheSize, 'cache size', provider, site);
    case 'disk': {
      const t = str(p, 'diskType', site);
      if (t === undefined) return;
      const range = rules.diskTypes[t];
      if (!range) {
        const known = Object.keys(rules.diskTypes).join(', ');
        sink.add('invalid_property', `"${t}" is not a ${provider} disk type (${known})`, at(site, 'diskType'));
      } else if (!site.unknown.has('sizeGb') && outside(p.sizeGb as number, range))
        sink.add('invalid_property', `${t} disks hold ${range.min}–${range.max} GB`, at(site, 'sizeGb'));
      return;
    }
    case 'database': {
      sku(p, 'size', rules.dbSize, 'database size', provider, site);
      const engine = str(p, 'engine', site);
      if (engine !== 'postgres' && engine !== 'mysql') return;
      const v = str(p, 'engineVersion', site);
      const majors = rules.engineMajors[engine];
      if (v !== undefined && !majors.includes(engineMajor(engine, v)))
        sink.add(
          'invalid_property',
          `${engine} ${v} is not offered on ${provider} (major versions: ${majors.join(', ')})`,
          at(site, 'engineVersion'),
        );
      const range = rules.storageGb[engine];
      if (!site.unknown.has('storageGb') && outside(p.storageGb as number, range))
        sink.add(
          'invalid_property',
          `${provider} ${engine} storage is ${range.min}–${range.max} GB`,
          at(site, 'storageGb'),
        );
      return;
    }
    default:
      return;
  }
}
