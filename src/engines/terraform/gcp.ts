/** Terraform for Google Cloud (hashicorp/google 6.x): zones from data sources, labels via the provider. */
import type { PreparedResource } from '../blueprint.js';
import { RUNTIME_MAP, resolveImage } from '../catalogue-mappings.js';
import { overlaps, parseCidr } from '../cidr.js';
import { pointer } from '../errors.js';
import { NAME_RULES } from '../names.js';
import { providerEngineVersion } from '../provider-rules.js';
import {
  cloudName,
  globalName,
  own,
  pick,
  plannedCidr,
  prop,
  ref,
  resource,
  shared,
  type TfContext,
} from './context.js';
import { attr as a, BLANK, block, raw, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';

import { defaultNetwork, firewalls, firewallTag, loadBalancer, nat, networkOf, zone } from './gcp-network.js';

// GCP labels allow lowercase letters, digits, "_" and "-" only: blueprint tags are folded to that.
const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);

/** A label key for a tag key (keys must also start with a letter). */
export function gcpLabelKey(k: string): string {
  const key = fold(k);
  return /^[a-z]/.test(key) ? key : ('t' + key).slice(0, 63);
}

/** Blueprint tags as GCP labels. */
export function gcpLabels(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[gcpLabelKey(k)] = fold(v);
  return out;
}

/** A label value: literal text folded here, a variable folded by Terraform with the same rule. */
export function gcpLabelValue(v: HclValue): HclValue {
  if (typeof v === 'string') return fold(v);
  const text = (v as Raw).text;
  return raw(`substr(replace(lower(${text}), "/[^a-z0-9_-]/", "_"), 0, 63)`);
}

function vm(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const image = resolveImage(p.image as string, 'gcp', pointer('resources', r.index, 'properties', 'image'));
  if (image.kind !== 'gcp') throw new Error('unreachable');
  const nic: BodyItem[] = p.subnet
    ? [a('subnetwork', ref(ctx, r, p.subnet as string, 'id'))]
    : [a('network', 'default')];
  if (p.publicIp === true) nic.push(BLANK, block('access_config', [], []));
  const groups = (p.securityGroups as string[] | undefined) ?? [];
  return [
    resource(ctx, 'google_compute_instance', r.name, r, [
      a('name', cloudName(r)),
      a('machine_type', prop(ctx, r, 'size')),
      a('zone', zone(ctx, r)),
      a('tags', groups.length > 0 ? groups.map((g) => firewallTag(ctx, g)) : undefined),
      BLANK,
      block(
        'boot_disk',
        [],
        [
          block(
            'initialize_params',
            [],
            [a('image', image.image), a('type', 'pd-balanced'), a('size', prop(ctx, r, 'diskGb'))],
          ),
        ],
      ),
      BLANK,
      block('network_interface', [], nic),
      BLANK,
      block('shielded_instance_config', [], [a('enable_secure_boot', true)]),
    ]),
  ];
}

function bucket(ctx: TfContext, r: PreparedResource): Block[] {
  const out = [
    resource(ctx, 'google_storage_bucket', r.name, r, [
      a('name', globalName(ctx, r, NAME_RULES.gcsBucket)),
      a('location', ctx.bp.region.toUpperCase()),
      a('uniform_bucket_level_access', true),
      a('public_access_prevention', pick(ctx, r, 'public', 'inherited', 'enforced')),
      a('force_destroy', false),
      BLANK,
      block('versioning', [], [a('enabled', prop(ctx, r, 'versioning'))]),
    ]),
  ];
  if (r.props.public === true) {
    out.push(
      resource(ctx, 'google_storage_bucket_iam_member', r.name, r, [
        a('bucket', own(r, 'google_storage_bucket', r.name, 'name')),
        a('role', 'roles/storage.objectViewer'),
        a('member', 'allUsers'),
      ]),
    );
  }
  return out;
}

// Private IP needs private services access on the network: one peering range and connection each.
function privateServicesAccess(ctx: TfContext, r: PreparedResource, subnet: string | undefined): string {
  const net = subnet ? ctx.bp.byName.get(ctx.bp.byName.get(subnet)!.props.network as string)! : undefined;
  const name = net ? net.name : 'default';
  const networkId: HclValue = net ? own(net, 'google_compute_network', net.name, 'id') : defaultNetwork(ctx);
  const count = net?.count === undefined ? [] : [a('count', net.count), BLANK];
  shared(ctx, 'resource', 'google_compute_global_address', `${name}_psa`, [
    ...count,
    a('name', net?.count === undefined ? `${name}-psa` : raw(`"${name}-psa-\${count.index}"`)),
    a('purpose', 'VPC_PEERING'),
    a('address_type', 'INTERNAL'),
    a('prefix_length', 20),
    a('network', networkId),
  ]);
  return shared(ctx, 'resource', 'google_service_networking_connection', name, [
    ...count,
    a('network', networkId),
    a('service', 'servicenetworking.googleapis.com'),
    a('reserved_peering_ranges', [own(net ?? r, 'google_compute_global_address', `${name}_psa`, 'name')]),
  ]);
}

function database(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  ctx.extra.add('random');
  const subnet = (p.subnets as string[] | undefined)?.[0];
  const isPrivate = p.publiclyAccessible !== true;
  const psa = isPrivate ? privateServicesAccess(ctx, r, subnet) : undefined;
  return [
    resource(ctx, 'random_password', n, r, [
      a('length', 32),
      a('special', true),
      a('override_special', '!#*()-_=+[]:?'),
    ]),
    resource(ctx, 'google_sql_database_instance', n, r, [
      a('name', cloudName(r, 80)),
      a('database_version', providerEngineVersion('gcp', String(p.engine), p.engineVersion as string | undefined)),
      a('region', ctx.bp.region),
      a('deletion_protection', true),
      BLANK,
      block(
        'settings',
        [],
        [
          a('tier', prop(ctx, r, 'size')),
          a('disk_size', prop(ctx, r, 'storageGb')),
          a('disk_type', 'PD_SSD'),
          a('availability_type', p.multiAz === true ? 'REGIONAL' : 'ZONAL'),
          BLANK,
          block(
            'ip_configuration',
            [],
            [
              a('ipv4_enabled', prop(ctx, r, 'publiclyAccessible')),
              a('private_network', isPrivate ? networkOf(ctx, r, subnet, 'id') : undefined),
              a('ssl_mode', 'ENCRYPTED_ONLY'),
            ],
          ),
          BLANK,
          block('backup_configuration', [], [a('enabled', true)]),
        ],
      ),
      ...(psa ? [BLANK, a('depends_on', [raw(psa)])] : []),
    ]),
    resource(ctx, 'google_sql_user', n, r, [
      a('name', 'dbadmin'),
      a('instance', own(r, 'google_sql_database_instance', n, 'name')),
      a('password', own(r, 'random_password', n, 'result')),
    ]),
  ];
}

// The control plane's /28 must not overlap the blueprint's networks: the first candidate that does not.
function masterCidr(ctx: TfContext): string {
  const used = [...ctx.bp.plan.networks.values()]
    .flat()
    .filter((c): c is string => c !== undefined)
    .map(parseCidr);
  const candidates = ['172.16.255.240/28', '192.168.255.240/28', '10.255.255.240/28'];
  return candidates.find((c) => !used.some((u) => overlaps(u, parseCidr(c)))) ?? candidates[0]!;
}

function cluster(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const subnet = (r.props.subnets as string[] | undefined)?.[0];
  return [
    resource(ctx, 'google_container_cluster', n, r, [
      a('name', cloudName(r, 40)),
      a('location', zone(ctx, r)),
      a('min_master_version', prop(ctx, r, 'version')),
      a('remove_default_node_pool', true),
      a('initial_node_count', 1),
      a('deletion_protection', true),
      a('network', subnet ? networkOf(ctx, r, subnet, 'id') : undefined),
      a('subnetwork', subnet ? ref(ctx, r, subnet, 'id') : undefined),
      BLANK,
      block('ip_allocation_policy', [], []),
      BLANK,
      block(
        'private_cluster_config',
        [],
        [
          a('enable_private_nodes', true),
          a('enable_private_endpoint', pick(ctx, r, 'publicEndpoint', false, true)),
          a('master_ipv4_cidr_block', masterCidr(ctx)),
        ],
      ),
    ]),
    resource(ctx, 'google_container_node_pool', n, r, [
      a('name', 'default'),
      a('cluster', own(r, 'google_container_cluster', n, 'id')),
      a('location', zone(ctx, r)),
      a('node_count', prop(ctx, r, 'nodeCount')),
      BLANK,
      block(
        'node_config',
        [],
        [
          a('machine_type', prop(ctx, r, 'nodeSize')),
          a('disk_size_gb', prop(ctx, r, 'nodeDiskGb')),
          a('disk_type', 'pd-balanced'),
          a('oauth_scopes', ['https://www.googleapis.com/auth/cloud-platform']),
        ],
      ),
    ]),
  ];
}

function fn(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const src = `${n}_source`;
  const handler = r.props.handler as string;
  return [
    resource(ctx, 'google_storage_bucket', src, r, [
      a('name', globalName(ctx, r, NAME_RULES.gcsBucket, 'src')),
      a('location', ctx.bp.region.toUpperCase()),
      a('uniform_bucket_level_access', true),
      a('public_access_prevention', 'enforced'),
    ]),
    resource(ctx, 'google_storage_bucket_object', src, r, [
      a('name', `${n}.zip`),
      a('bucket', own(r, 'google_storage_bucket', src, 'name')),
      a('source', `dist/${n}.zip`),
    ]),
    resource(ctx, 'google_cloudfunctions2_function', n, r, [
      a('name', cloudName(r)),
      a('location', ctx.bp.region),
      BLANK,
      block(
        'build_config',
        [],
        [
          a('runtime', RUNTIME_MAP[r.props.runtime as string]!.gcp),
          a('entry_point', handler.slice(handler.lastIndexOf('.') + 1) || handler),
          BLANK,
          block(
            'source',
            [],
            [
              block(
                'storage_source',
                [],
                [
                  a('bucket', own(r, 'google_storage_bucket', src, 'name')),
                  a('object', own(r, 'google_storage_bucket_object', src, 'name')),
                ],
              ),
            ],
          ),
        ],
      ),
      BLANK,
      block(
        'service_config',
        [],
        [
          a('available_memory', `${String(r.props.memoryMb)}M`),
          a('max_instance_count', 10),
          a('ingress_settings', 'ALLOW_INTERNAL_ONLY'),
        ],
      ),
    ]),
  ];
}

/** The Google Cloud resources of one blueprint resource. */
export function emitGcp(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  switch (r.type) {
    case 'network':
      return [
        resource(ctx, 'google_compute_network', n, r, [a('name', cloudName(r)), a('auto_create_subnetworks', false)]),
      ];
    case 'subnet':
      return [
        resource(ctx, 'google_compute_subnetwork', n, r, [
          a('name', cloudName(r)),
          a('region', ctx.bp.region),
          a('network', ref(ctx, r, p.network as string, 'id')),
          a('ip_cidr_range', plannedCidr(ctx, r)),
          a('private_ip_google_access', true),
        ]),
      ];
    case 'security_group':
      return firewalls(ctx, r);
    case 'vm':
      return vm(ctx, r);
    case 'disk':
      return [
        resource(ctx, 'google_compute_disk', n, r, [
          a('name', cloudName(r)),
          a('type', prop(ctx, r, 'diskType')),
          a('zone', zone(ctx, r)),
          a('size', prop(ctx, r, 'sizeGb')),
        ]),
      ];
    case 'bucket':
      return bucket(ctx, r);
    case 'database':
      return database(ctx, r);
    case 'cache': {
      const gb = Number(/^([0-9]+)gb$/.exec(p.size as string)![1]);
      const ha = (p.nodes as number) > 1;
      return [
        resource(ctx, 'google_redis_instance', n, r, [
          a('name', cloudName(r, 40)),
          a('tier', ha ? 'STANDARD_HA' : 'BASIC'),
          a('memory_size_gb', gb),
          a('region', ctx.bp.region),
          a('redis_version', 'REDIS_7_2'),
          a('auth_enabled', true),
          a('transit_encryption_mode', 'SERVER_AUTHENTICATION'),
          a('replica_count', ha ? (p.nodes as number) - 1 : undefined),
          a('read_replicas_mode', ha ? 'READ_REPLICAS_ENABLED' : undefined),
        ]),
      ];
    }
    case 'load_balancer':
      return loadBalancer(ctx, r);
    case 'nat_gateway':
      return nat(ctx, r);
    case 'kubernetes_cluster':
      return cluster(ctx, r);
    case 'function':
      return fn(ctx, r);
    case 'queue':
      return [
        resource(ctx, 'google_pubsub_topic', n, r, [a('name', cloudName(r, 255))]),
        resource(ctx, 'google_pubsub_subscription', n, r, [
          a('name', cloudName(r, 255)),
          a('topic', own(r, 'google_pubsub_topic', n, 'id')),
          a('enable_message_ordering', prop(ctx, r, 'fifo')),
          a('ack_deadline_seconds', 30),
        ]),
      ];
  }
}
