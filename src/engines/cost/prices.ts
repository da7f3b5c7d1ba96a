/**
 * The versioned on-demand price table (USD). Every entry carries the public page it comes from,
 * the date it was recorded and whether it was confirmed: `confirmed: true` only for the AWS
 * us-east-1 reference points the product spec fixes (docs/ENGINES.md); everything else
 * was transcribed from the providers' public price lists without a fresh check and says so.
 * Bump PRICE_TABLE_VERSION whenever a price changes: estimates carry it.
 */
import type { Provider } from '../types.js';

/** Version stamped on every estimate. */
export const PRICE_TABLE_VERSION = '2025-01-15.1';

/** One price: USD per `unit`. */
export interface PriceEntry {
  price: number;
  unit: string;
  source: string;
  date: string;
  confirmed: boolean;
}

type Tuple = [key: string, price: number, unit: string];
type Region = Record<string, PriceEntry>;

const DATE = '2025-01-15';
const SRC = {
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
  rds: 'https://aws.amazon.com/rds/pricing/',
  elasticache: 'https://aws.amazon.com/elasticache/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  eks: 'https://aws.amazon.com/eks/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  azVm: 'https://azure.microsoft.com/en-us/pricing/details/virtual-machines/linux/',
  azDisk: 'https://azure.microsoft.com/en-us/pricing/details/managed-disks/',
  azPg: 'https://azure.microsoft.com/en-us/pricing/details/postgresql/flexible-server/',
  azMysql: 'https://azure.microsoft.com/en-us/pricing/details/mysql/flexible-server/',
  azRedis: 'https://azure.microsoft.com/en-us/pricing/details/cache/',
  azLb: 'https://azure.microsoft.com/en-us/pricing/details/load-balancer/',
  azNat: 'https://azure.microsoft.com/en-us/pricing/details/azure-nat-gateway/',
  azIp: 'https://azure.microsoft.com/en-us/pricing/details/ip-addresses/',
  azBlob: 'https://azure.microsoft.com/en-us/pricing/details/storage/blobs/',
  azAks: 'https://azure.microsoft.com/en-us/pricing/details/kubernetes-service/',
  azFn: 'https://azure.microsoft.com/en-us/pricing/details/functions/',
  azSb: 'https://azure.microsoft.com/en-us/pricing/details/service-bus/',
  gce: 'https://cloud.google.com/compute/vm-instance-pricing',
  gpd: 'https://cloud.google.com/compute/disks-image-pricing',
  gsql: 'https://cloud.google.com/sql/pricing',
  gredis: 'https://cloud.google.com/memorystore/docs/redis/pricing',
  gnet: 'https://cloud.google.com/vpc/network-pricing',
  gnat: 'https://cloud.google.com/nat/pricing',
  gcs: 'https://cloud.google.com/storage/pricing',
  gke: 'https://cloud.google.com/kubernetes-engine/pricing',
  gfn: 'https://cloud.google.com/functions/pricing',
  gps: 'https://cloud.google.com/pubsub/pricing',
} as const;

/** The AWS us-east-1 reference points the product fixes, the only entries marked confirmed. */
const CONFIRMED = new Set([
  'vm:t3.micro',
  'vm:t3.medium',
  'vm:m5.large',
  'rds:mysql:db.t3.micro',
  'nat:hour',
  'nat:data',
  'lb:application',
  's3:standard',
  'ebs:gp3',
]);

function group(source: string, rows: Tuple[], confirmedKeys?: Set<string>): Region {
  const out: Region = {};
  for (const [key, price, unit] of rows)
    out[key] = { price, unit, source, date: DATE, confirmed: confirmedKeys?.has(key) ?? false };
  return out;
}

function region(confirmed: boolean, ...groups: Array<[string, Tuple[]]>): Region {
  return Object.assign({}, ...groups.map(([src, rows]) => group(src, rows, confirmed ? CONFIRMED : undefined)));
}

const h = 'hours';
const gbm = 'GB-months';

// us-east-1 and us-west-2 share on-demand prices for every SKU listed here.
// prettier-ignore
const awsUs = (confirmed: boolean): Region => region(confirmed,
  [SRC.ec2, [['vm:t3.nano', 0.0052, h], ['vm:t3.micro', 0.0104, h], ['vm:t3.small', 0.0208, h], ['vm:t3.medium', 0.0416, h], ['vm:t3.large', 0.0832, h],
    ['vm:t3.xlarge', 0.1664, h], ['vm:m5.large', 0.096, h], ['vm:m5.xlarge', 0.192, h], ['vm:c5.large', 0.085, h], ['vm:r5.large', 0.126, h], ['vm:t4g.micro', 0.0084, h]]],
  [SRC.ebs, [['ebs:gp3', 0.08, gbm], ['ebs:gp2', 0.1, gbm], ['ebs:io1', 0.125, gbm], ['ebs:st1', 0.045, gbm], ['ebs:sc1', 0.015, gbm]]],
  [SRC.rds, [['rds:mysql:db.t3.micro', 0.017, h], ['rds:mysql:db.t3.small', 0.034, h], ['rds:mysql:db.t3.medium', 0.068, h], ['rds:mysql:db.m5.large', 0.171, h],
    ['rds:postgres:db.t3.micro', 0.018, h], ['rds:postgres:db.t3.small', 0.036, h], ['rds:postgres:db.t3.medium', 0.072, h], ['rds:postgres:db.m5.large', 0.178, h],
    ['rds-storage:gp3', 0.115, gbm]]],
  [SRC.elasticache, [['cache:cache.t3.micro', 0.017, h], ['cache:cache.t3.small', 0.034, h], ['cache:cache.t3.medium', 0.068, h], ['cache:cache.m5.large', 0.156, h]]],
  [SRC.elb, [['lb:application', 0.0225, h], ['lb:network', 0.0225, h], ['lcu:application', 0.008, 'LCU-hours'], ['lcu:network', 0.006, 'NLCU-hours']]],
  [SRC.vpc, [['nat:hour', 0.045, h], ['nat:data', 0.045, 'GB'], ['ipv4:public', 0.005, h]]],
  [SRC.s3, [['s3:standard', 0.023, gbm]]],
  [SRC.eks, [['k8s:cluster', 0.1, h]]],
  [SRC.lambda, [['fn:requests', 0.2, '1M requests'], ['fn:duration', 0.0000166667, 'GB-seconds']]],
  [SRC.sqs, [['queue:standard', 0.4, '1M requests'], ['queue:fifo', 0.5, '1M requests']]],
);

// prettier-ignore
const awsEuWest1 = region(false,
  [SRC.ec2, [['vm:t3.nano', 0.0057, h], ['vm:t3.micro', 0.0114, h], ['vm:t3.small', 0.0228, h], ['vm:t3.medium', 0.0456, h], ['vm:t3.large', 0.0912, h],
    ['vm:m5.large', 0.107, h], ['vm:m5.xlarge', 0.214, h], ['vm:c5.large', 0.096, h], ['vm:r5.large', 0.141, h]]],
  [SRC.ebs, [['ebs:gp3', 0.088, gbm], ['ebs:gp2', 0.11, gbm], ['ebs:st1', 0.05, gbm], ['ebs:sc1', 0.0168, gbm]]],
  [SRC.rds, [['rds:mysql:db.t3.micro', 0.018, h], ['rds:mysql:db.t3.small', 0.036, h], ['rds:mysql:db.t3.medium', 0.072, h],
    ['rds:postgres:db.t3.micro', 0.019, h], ['rds:postgres:db.t3.small', 0.038, h], ['rds:postgres:db.t3.medium', 0.076, h], ['rds-storage:gp3', 0.127, gbm]]],
  [SRC.elasticache, [['cache:cache.t3.micro', 0.018, h], ['cache:cache.t3.small', 0.036, h], ['cache:cache.t3.medium', 0.073, h]]],
  [SRC.elb, [['lb:application', 0.0252, h], ['lb:network', 0.0252, h], ['lcu:application', 0.008, 'LCU-hours'], ['lcu:network', 0.006, 'NLCU-hours']]],
  [SRC.vpc, [['nat:hour', 0.048, h], ['nat:data', 0.048, 'GB'], ['ipv4:public', 0.005, h]]],
  [SRC.s3, [['s3:standard', 0.023, gbm]]],
  [SRC.eks, [['k8s:cluster', 0.1, h]]],
  [SRC.lambda, [['fn:requests', 0.2, '1M requests'], ['fn:duration', 0.0000166667, 'GB-seconds']]],
  [SRC.sqs, [['queue:standard', 0.4, '1M requests'], ['queue:fifo', 0.5, '1M requests']]],
);

const m = 'months';
// westeurope / europe-west1 VM prices are derived from the US price with the regional uplift
// (×1.1) seen on the providers' pages, not transcribed one by one: unconfirmed, like the rest.
// prettier-ignore
const azure = (vmScale: number): Region => region(false,
  [SRC.azVm, ([['Standard_B1s', 0.0104], ['Standard_B1ms', 0.0207], ['Standard_B2s', 0.0416], ['Standard_B2ms', 0.0832], ['Standard_D2s_v5', 0.096], ['Standard_D4s_v5', 0.192]] as const)
    .map(([k, p]): Tuple => [`vm:${k}`, Math.round(p * vmScale * 10000) / 10000, h])],
  [SRC.azDisk, [['disk:Standard_LRS:S4', 1.54, m], ['disk:Standard_LRS:S6', 3.01, m], ['disk:Standard_LRS:S10', 5.89, m], ['disk:Standard_LRS:S15', 11.33, m],
    ['disk:Standard_LRS:S20', 21.76, m], ['disk:Standard_LRS:S30', 40.96, m], ['disk:StandardSSD_LRS:E4', 2.4, m], ['disk:StandardSSD_LRS:E6', 4.8, m],
    ['disk:StandardSSD_LRS:E10', 9.6, m], ['disk:StandardSSD_LRS:E15', 19.2, m], ['disk:StandardSSD_LRS:E20', 38.4, m], ['disk:StandardSSD_LRS:E30', 76.8, m],
    ['disk:Premium_LRS:P4', 5.28, m], ['disk:Premium_LRS:P6', 10.21, m], ['disk:Premium_LRS:P10', 19.71, m], ['disk:Premium_LRS:P15', 37.97, m],
    ['disk:Premium_LRS:P20', 73.22, m], ['disk:Premium_LRS:P30', 135.17, m]]],
  [SRC.azPg, [['db:postgres:B_Standard_B1ms', 0.017, h], ['db:postgres:B_Standard_B2s', 0.068, h], ['db:postgres:GP_Standard_D2s_v3', 0.178, h], ['db-storage:postgres', 0.115, gbm]]],
  [SRC.azMysql, [['db:mysql:B_Standard_B1ms', 0.0207, h], ['db:mysql:B_Standard_B2s', 0.0828, h], ['db:mysql:GP_Standard_D2ds_v4', 0.178, h], ['db-storage:mysql', 0.115, gbm]]],
  [SRC.azRedis, [['cache:Basic_C0', 0.022, h], ['cache:Basic_C1', 0.055, h], ['cache:Standard_C0', 0.055, h], ['cache:Standard_C1', 0.138, h], ['cache:Premium_P1', 0.554, h]]],
  [SRC.azLb, [['lb:standard', 0.025, h], ['lb:data', 0.005, 'GB']]],
  [SRC.azNat, [['nat:hour', 0.045, h], ['nat:data', 0.045, 'GB']]],
  [SRC.azIp, [['ipv4:public', 0.005, h]]],
  [SRC.azBlob, [['blob:hot-lrs', 0.0184, gbm]]],
  [SRC.azAks, [['k8s:cluster', 0, h]]],
  [SRC.azFn, [['fn:requests', 0.2, '1M requests'], ['fn:duration', 0.000016, 'GB-seconds']]],
  [SRC.azSb, [['queue:namespace', 0.0135, h], ['queue:operations', 0.8, '1M requests']]],
);

// prettier-ignore
const gcp = (scale: number): Region => region(false,
  [SRC.gce, ([['e2-micro', 0.008376], ['e2-small', 0.016751], ['e2-medium', 0.033503], ['e2-standard-2', 0.067006], ['e2-standard-4', 0.134012], ['n2-standard-2', 0.097118]] as const)
    .map(([k, p]): Tuple => [`vm:${k}`, Math.round(p * scale * 1e6) / 1e6, h])],
  [SRC.gpd, [['pd:pd-standard', 0.04, gbm], ['pd:pd-balanced', 0.1, gbm], ['pd:pd-ssd', 0.17, gbm]]],
  [SRC.gsql, [['db:db-f1-micro', 0.0105, h], ['db:db-g1-small', 0.035, h], ['db:db-custom-1-3840', 0.06755, h], ['db:db-custom-2-7680', 0.1351, h], ['db-storage:ssd', 0.17, gbm]]],
  [SRC.gredis, [['cache:basic:m1', 0.049, 'GB-hours'], ['cache:basic:m2', 0.027, 'GB-hours'], ['cache:basic:m3', 0.023, 'GB-hours'],
    ['cache:standard:m1', 0.064, 'GB-hours'], ['cache:standard:m2', 0.035, 'GB-hours'], ['cache:standard:m3', 0.03, 'GB-hours']]],
  [SRC.gnet, [['lb:rule', 0.025, h], ['lb:data', 0.008, 'GB'], ['ipv4:public', 0.005, h]]],
  [SRC.gnat, [['nat:vm', 0.0014, 'VM-hours'], ['nat:data', 0.045, 'GB']]],
  [SRC.gcs, [['gcs:standard', 0.02, gbm]]],
  [SRC.gke, [['k8s:cluster', 0.1, h]]],
  [SRC.gfn, [['fn:requests', 0.4, '1M requests'], ['fn:duration', 0.0000025, 'GB-seconds']]],
  [SRC.gps, [['queue:throughput', 0.0390625, 'GB']]],
);

/** Provider → region → price key → entry. */
export const PRICES: Readonly<Record<Provider, Readonly<Record<string, Region>>>> = {
  aws: { 'us-east-1': awsUs(true), 'us-west-2': awsUs(false), 'eu-west-1': awsEuWest1 },
  azure: { eastus: azure(1), westeurope: azure(1.1) },
  gcp: { 'us-central1': gcp(1), 'europe-west1': gcp(1.1) },
};

/** Azure managed-disk tiers (size in GB) per storage type, smallest first. */
export const AZURE_DISK_TIERS: Readonly<Record<string, Array<[tier: string, gb: number]>>> = {
  Standard_LRS: [
    ['S4', 32],
    ['S6', 64],
    ['S10', 128],
    ['S15', 256],
    ['S20', 512],
    ['S30', 1024],
  ],
  StandardSSD_LRS: [
    ['E4', 32],
    ['E6', 64],
    ['E10', 128],
    ['E15', 256],
    ['E20', 512],
    ['E30', 1024],
  ],
  Premium_LRS: [
    ['P4', 32],
    ['P6', 64],
    ['P10', 128],
    ['P15', 256],
    ['P20', 512],
    ['P30', 1024],
  ],
};
