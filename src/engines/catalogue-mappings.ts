/**
 * Where each catalogue type lands on each provider: the primary Terraform resource type (whose
 * address names the blueprint resource in cost and guardrail results), the CloudFormation type,
 * provider defaults for SKU-like properties, and the image / runtime alias tables.
 */
import { EngineError } from './errors.js';
import type { Provider, ResourceType } from './types.js';

type PerEngine = { postgres: string; mysql: string };

/** The primary Terraform resource type per catalogue type and provider. */
export const TERRAFORM_TYPES: Readonly<Record<ResourceType, Record<Provider, string | PerEngine>>> = {
  network: { aws: 'aws_vpc', azure: 'azurerm_virtual_network', gcp: 'google_compute_network' },
  subnet: { aws: 'aws_subnet', azure: 'azurerm_subnet', gcp: 'google_compute_subnetwork' },
  security_group: {
    aws: 'aws_security_group',
    azure: 'azurerm_network_security_group',
    gcp: 'google_compute_firewall',
  },
  vm: { aws: 'aws_instance', azure: 'azurerm_linux_virtual_machine', gcp: 'google_compute_instance' },
  disk: { aws: 'aws_ebs_volume', azure: 'azurerm_managed_disk', gcp: 'google_compute_disk' },
  bucket: { aws: 'aws_s3_bucket', azure: 'azurerm_storage_account', gcp: 'google_storage_bucket' },
  database: {
    aws: 'aws_db_instance',
    azure: { postgres: 'azurerm_postgresql_flexible_server', mysql: 'azurerm_mysql_flexible_server' },
    gcp: 'google_sql_database_instance',
  },
  cache: { aws: 'aws_elasticache_replication_group', azure: 'azurerm_redis_cache', gcp: 'google_redis_instance' },
  load_balancer: { aws: 'aws_lb', azure: 'azurerm_lb', gcp: 'google_compute_forwarding_rule' },
  nat_gateway: { aws: 'aws_nat_gateway', azure: 'azurerm_nat_gateway', gcp: 'google_compute_router_nat' },
  kubernetes_cluster: { aws: 'aws_eks_cluster', azure: 'azurerm_kubernetes_cluster', gcp: 'google_container_cluster' },
  function: { aws: 'aws_lambda_function', azure: 'azurerm_linux_function_app', gcp: 'google_cloudfunctions2_function' },
  queue: { aws: 'aws_sqs_queue', azure: 'azurerm_servicebus_queue', gcp: 'google_pubsub_topic' },
};

/** The primary CloudFormation resource type per catalogue type (AWS only). */
export const CLOUDFORMATION_TYPES: Readonly<Record<ResourceType, string>> = {
  network: 'AWS::EC2::VPC',
  subnet: 'AWS::EC2::Subnet',
  security_group: 'AWS::EC2::SecurityGroup',
  vm: 'AWS::EC2::Instance',
  disk: 'AWS::EC2::Volume',
  bucket: 'AWS::S3::Bucket',
  database: 'AWS::RDS::DBInstance',
  cache: 'AWS::ElastiCache::ReplicationGroup',
  load_balancer: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
  nat_gateway: 'AWS::EC2::NatGateway',
  kubernetes_cluster: 'AWS::EKS::Cluster',
  function: 'AWS::Lambda::Function',
  queue: 'AWS::SQS::Queue',
};

/** The primary Terraform resource type of one blueprint resource. */
export function terraformType(type: ResourceType, provider: Provider, props: Record<string, unknown>): string {
  const t = TERRAFORM_TYPES[type][provider];
  return typeof t === 'string' ? t : t[props.engine === 'mysql' ? 'mysql' : 'postgres'];
}

/**
 * Defaults that depend on the provider (sizes are the provider's own SKUs). Disk sizes are the
 * images' and node pools' own defaults, written out so the generated code and the estimate agree.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<Provider, Partial<Record<ResourceType, Record<string, unknown>>>>> = {
  aws: {
    vm: { size: 't3.micro', image: 'ubuntu-22.04', diskGb: 8 },
    disk: { diskType: 'gp3' },
    database: { size: 'db.t3.micro' },
    cache: { size: 'cache.t3.micro' },
    kubernetes_cluster: { nodeSize: 't3.medium', nodeDiskGb: 20 },
  },
  azure: {
    vm: { size: 'Standard_B1s', image: 'ubuntu-22.04', diskGb: 30 },
    disk: { diskType: 'StandardSSD_LRS' },
    database: { size: 'B_Standard_B1ms' },
    cache: { size: 'Basic_C0' },
    kubernetes_cluster: { nodeSize: 'Standard_B2s', nodeDiskGb: 128 },
  },
  gcp: {
    vm: { size: 'e2-micro', image: 'ubuntu-22.04', diskGb: 10 },
    disk: { diskType: 'pd-balanced' },
    database: { size: 'db-f1-micro' },
    cache: { size: '1gb' },
    kubernetes_cluster: { nodeSize: 'e2-medium', nodeDiskGb: 100 },
  },
};

/** Provider-native runtime identifiers for each neutral runtime. */
export const RUNTIME_MAP: Readonly<Record<string, { aws: string; azure: [string, string]; gcp: string }>> = {
  nodejs20: { aws: 'nodejs20.x', azure: ['node_version', '20'], gcp: 'nodejs20' },
  nodejs22: { aws: 'nodejs22.x', azure: ['node_version', '22'], gcp: 'nodejs22' },
  'python3.11': { aws: 'python3.11', azure: ['python_version', '3.11'], gcp: 'python311' },
  'python3.12': { aws: 'python3.12', azure: ['python_version', '3.12'], gcp: 'python312' },
  'python3.13': { aws: 'python3.13', azure: ['python_version', '3.13'], gcp: 'python313' },
  java21: { aws: 'java21', azure: ['java_version', '21'], gcp: 'java21' },
};

interface ImageAlias {
  aws?: string; // SSM public parameter holding the current AMI id
  azure?: { publisher: string; offer: string; sku: string };
  gcp?: string;
}

/** Image aliases usable on every provider that lists them. */
export const IMAGE_ALIASES: Readonly<Record<string, ImageAlias>> = {
  'ubuntu-22.04': {
    aws: '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id',
    azure: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2' },
    gcp: 'ubuntu-os-cloud/ubuntu-2204-lts',
  },
  'ubuntu-24.04': {
    aws: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    azure: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server' },
    gcp: 'ubuntu-os-cloud/ubuntu-2404-lts-amd64',
  },
  'debian-12': {
    aws: '/aws/service/debian/release/12/latest/amd64',
    azure: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2' },
    gcp: 'debian-cloud/debian-12',
  },
  'amazon-linux-2023': { aws: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' },
};

/** How a vm's image resolves on a provider: an SSM alias, a native id, or an Azure image reference. */
export type ResolvedImage =
  | { kind: 'ssm'; alias: string; parameter: string }
  | { kind: 'ami'; id: string }
  | { kind: 'azure'; publisher: string; offer: string; sku: string; version: string }
  | { kind: 'gcp'; image: string };

/** Resolves a vm `image` (alias or provider-native id) or throws 'invalid_property' at `path`. */
export function resolveImage(image: string, provider: Provider, path: string): ResolvedImage {
  const alias = IMAGE_ALIASES[image];
  if (provider === 'aws') {
    if (alias?.aws) return { kind: 'ssm', alias: image, parameter: alias.aws };
    if (/^ami-[0-9a-f]{8,17}$/.test(image)) return { kind: 'ami', id: image };
  } else if (provider === 'azure') {
    if (alias?.azure) return { kind: 'azure', ...alias.azure, version: 'latest' };
    const urn = /^([\w.-]+):([\w.-]+):([\w.-]+):([\w.-]+)$/.exec(image);
    if (urn) return { kind: 'azure', publisher: urn[1]!, offer: urn[2]!, sku: urn[3]!, version: urn[4]! };
  } else {
    if (alias?.gcp) return { kind: 'gcp', image: alias.gcp };
    if (/^[a-z][a-z0-9-]{0,62}\/[a-z][a-z0-9-]{0,62}$/.test(image)) return { kind: 'gcp', image };
  }
  const known = Object.keys(IMAGE_ALIASES).filter((k) => IMAGE_ALIASES[k]![provider]);
  throw new EngineError(
    'invalid_property',
    `image "${image}" is neither a known alias (${known.join(', ')}) nor a ${provider} image id`,
    path,
  );
}

/**
 * GCP firewalls of a security group: one per distinct source CIDR, in order of first use (a
 * firewall has one set of source ranges). Returns the firewall index of each ingress rule.
 */
export function gcpFirewallOfRule(rules: ReadonlyArray<{ cidr: string }>): number[] {
  const order = new Map<string, number>();
  return rules.map((r) => {
    if (!order.has(r.cidr)) order.set(r.cidr, order.size);
    return order.get(r.cidr)!;
  });
}

/** The Terraform name of the g-th GCP firewall of a security group. */
export function gcpFirewallName(group: string, g: number): string {
  return g === 0 ? group : `${group}_${g + 1}`;
}
