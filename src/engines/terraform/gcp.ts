/** Terraform for Google Cloud (hashicorp/google 6.x): zones from data sources, labels via the provider. */
import type { PreparedResource } from '../blueprint.js';
import { RUNTIME_MAP, resolveImage } from '../catalogue-mappings.js';
import { EngineError, pointer } from '../errors.js';
import { cloudName, countedCidr, own, prop, ref, resource, shared, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';

/** GCP labels allow lowercase letters, digits, "_" and "-" only: blueprint tags are folded to that. */
export function gcpLabels(tags: Record<string, string>): Record<string, string> {
  const fold = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '_')
      .slice(0, 63);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    let key = fold(k);
    if (!/^[a-z]/.test(key)) key = ('t' + key).slice(0, 63);
    out[key] = fold(v);
  }
  return out;
}

function zone(ctx: TfContext, r: PreparedResource): Raw {
  const zones = shared(ctx, 'data', 'google_compute_zones', 'available', [a('region', ctx.bp.region)]);
  return raw(r.count === undefined ? `${zones}.names[0]` : `${zones}.names[count.index % length(${zones}.names)]`);
}

function networkOf(ctx: TfContext, r: PreparedResource, subnet: string | undefined, attribute: string): HclValue {
  if (!subnet) return 'default';
  return ref(ctx, r, ctx.bp.byName.get(subnet)!.props.network as string, attribute);
}

function firewalls(ctx: TfContext, r: PreparedResource): Block[] {
  const rules = r.props.ingress as Array<{ protocol: string; fromPort: number; toPort: number; cidr: string }>;
  const network: BodyItem = a('network', r.props.network ? ref(ctx, r, r.props.network as string, 'name') : 'default');
  if (rules.length === 0) {
    return [
      resource('google_compute_firewall', r.name, r, [
        a('name', cloudName(r)),
        network,
        a('direction', 'INGRESS'),
        a('priority', 65534),
        a('source_ranges', ['0.0.0.0/0']),
        BLANK,
        block('deny', [], [a('protocol', 'all')]),
      ]),
    ];
  }
  // A firewall has one set of source ranges, so rules are grouped by CIDR, one firewall per CIDR.
  const byCidr = new Map<string, typeof rules>();
  for (const rule of rules) byCidr.set(rule.cidr, [...(byCidr.get(rule.cidr) ?? []), rule]);
  return [...byCidr.entries()].map(([cidr, group], k) =>
    resource('google_compute_firewall', k === 0 ? r.name : `${r.name}_${k + 1}`, r, [
      a('name', cloudName(r, 63, k === 0 ? '' : `-${k + 1}`)),
      network,
      a('direction', 'INGRESS'),
      a('source_ranges', [cidr]),
      ...group.flatMap((g) => [
        BLANK,
        block(
          'allow',
          [],
          [
            a('protocol', g.protocol),
            a(
              'ports',
              g.protocol === 'tcp' || g.protocol === 'udp'
                ? [g.fromPort === g.toPort ? String(g.fromPort) : `${g.fromPort}-${g.toPort}`]
                : undefined,
            ),
          ],
        ),
      ]),
    ]),
  );
}

/** The Google Cloud resources of one blueprint resource. */
export function emitGcp(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  switch (r.type) {
    case 'network':
      return [resource('google_compute_network', n, r, [a('name', cloudName(r)), a('auto_create_subnetworks', false)])];
    case 'subnet':
      return [
        resource('google_compute_subnetwork', n, r, [
          a('name', cloudName(r)),
          a('region', ctx.bp.region),
          a('network', ref(ctx, r, p.network as string, 'id')),
          a('ip_cidr_range', countedCidr(prop(ctx, r, 'cidr')!, r.count)),
          a('private_ip_google_access', true),
        ]),
      ];
    case 'security_group':
      return firewalls(ctx, r);
    case 'vm': {
      const image = resolveImage(p.image as string, 'gcp', pointer('resources', r.index, 'properties', 'image'));
      if (image.kind !== 'gcp') throw new Error('unreachable');
      const nic: BodyItem[] = p.subnet
        ? [a('subnetwork', ref(ctx, r, p.subnet as string, 'id'))]
        : [a('network', 'default')];
      if (p.publicIp === true) nic.push(BLANK, block('access_config', [], []));
      return [
        resource('google_compute_instance', n, r, [
          a('name', cloudName(r)),
          a('machine_type', prop(ctx, r, 'size')),
          a('zone', zone(ctx, r)),
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
    case 'disk':
      return [
        resource('google_compute_disk', n, r, [
          a('name', cloudName(r)),
          a('type', prop(ctx, r, 'diskType')),
          a('zone', zone(ctx, r)),
          a('size', prop(ctx, r, 'sizeGb')),
        ]),
      ];
    case 'bucket': {
      const out = [
        resource('google_storage_bucket', n, r, [
          a('name', cloudName(r)),
          a('location', ctx.bp.region.toUpperCase()),
          a('uniform_bucket_level_access', true),
          a('public_access_prevention', p.public === true ? 'inherited' : 'enforced'),
          a('force_destroy', false),
          BLANK,
          block('versioning', [], [a('enabled', prop(ctx, r, 'versioning'))]),
        ]),
      ];
      if (p.public === true) {
        out.push(
          resource('google_storage_bucket_iam_member', n, r, [
            a('bucket', own(r, 'google_storage_bucket', n, 'name')),
            a('role', 'roles/storage.objectViewer'),
            a('member', 'allUsers'),
          ]),
        );
      }
      return out;
    }
    case 'database': {
      ctx.extra.add('random');
      const mysql = p.engine === 'mysql';
      const version = ((p.engineVersion as string | undefined) ?? (mysql ? '8.0' : '16')).replace(/\./g, '_');
      return [
        resource('random_password', n, r, [
          a('length', 32),
          a('special', true),
          a('override_special', '!#*()-_=+[]:?'),
        ]),
        resource('google_sql_database_instance', n, r, [
          a('name', cloudName(r, 80)),
          a('database_version', `${mysql ? 'MYSQL' : 'POSTGRES'}_${version}`),
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
                [a('ipv4_enabled', prop(ctx, r, 'publiclyAccessible')), a('ssl_mode', 'ENCRYPTED_ONLY')],
              ),
              BLANK,
              block('backup_configuration', [], [a('enabled', true)]),
            ],
          ),
        ]),
        resource('google_sql_user', n, r, [
          a('name', 'dbadmin'),
          a('instance', own(r, 'google_sql_database_instance', n, 'name')),
          a('password', own(r, 'random_password', n, 'result')),
        ]),
      ];
    }
    case 'cache': {
      const m = /^([1-9][0-9]{0,2})gb$/.exec(p.size as string);
      if (!m)
        throw new EngineError(
          'unknown_sku',
          `GCP cache size "${String(p.size)}" is not <GB>gb (e.g. 1gb)`,
          pointer('resources', r.index, 'properties', 'size'),
        );
      const ha = (p.nodes as number) > 1;
      return [
        resource('google_redis_instance', n, r, [
          a('name', cloudName(r, 40)),
          a('tier', ha ? 'STANDARD_HA' : 'BASIC'),
          a('memory_size_gb', Number(m[1])),
          a('region', ctx.bp.region),
          a('redis_version', 'REDIS_7_0'),
          a('auth_enabled', true),
          a('transit_encryption_mode', 'SERVER_AUTHENTICATION'),
          a('replica_count', ha ? (p.nodes as number) - 1 : undefined),
          a('read_replicas_mode', ha ? 'READ_REPLICAS_ENABLED' : undefined),
        ]),
      ];
    }
    case 'load_balancer': {
      const scheme = p.public === true ? 'EXTERNAL' : 'INTERNAL';
      const subnet = (p.subnets as string[] | undefined)?.[0];
      return [
        resource('google_compute_region_health_check', n, r, [
          a('name', cloudName(r, 63, '-hc')),
          a('region', ctx.bp.region),
          BLANK,
          block('tcp_health_check', [], [a('port', 80)]),
        ]),
        resource('google_compute_region_backend_service', n, r, [
          a('name', cloudName(r)),
          a('region', ctx.bp.region),
          a('protocol', 'TCP'),
          a('load_balancing_scheme', scheme),
          a('health_checks', raw(`[${own(r, 'google_compute_region_health_check', n, 'id').text}]`)),
        ]),
        resource('google_compute_forwarding_rule', n, r, [
          a('name', cloudName(r)),
          a('region', ctx.bp.region),
          a('load_balancing_scheme', scheme),
          a('backend_service', own(r, 'google_compute_region_backend_service', n, 'id')),
          a('all_ports', true),
          a('network', scheme === 'INTERNAL' ? networkOf(ctx, r, subnet, 'id') : undefined),
          a('subnetwork', scheme === 'INTERNAL' && subnet ? ref(ctx, r, subnet, 'id') : undefined),
        ]),
      ];
    }
    case 'nat_gateway':
      return [
        resource('google_compute_router', n, r, [
          a('name', cloudName(r)),
          a('region', ctx.bp.region),
          a('network', networkOf(ctx, r, p.subnet as string, 'id')),
        ]),
        resource('google_compute_router_nat', n, r, [
          a('name', cloudName(r)),
          a('router', own(r, 'google_compute_router', n, 'name')),
          a('region', ctx.bp.region),
          a('nat_ip_allocate_option', 'AUTO_ONLY'),
          a('source_subnetwork_ip_ranges_to_nat', 'LIST_OF_SUBNETWORKS'),
          BLANK,
          block(
            'subnetwork',
            [],
            [a('name', ref(ctx, r, p.subnet as string, 'id')), a('source_ip_ranges_to_nat', ['ALL_IP_RANGES'])],
          ),
        ]),
      ];
    case 'kubernetes_cluster': {
      const subnet = (p.subnets as string[] | undefined)?.[0];
      return [
        resource('google_container_cluster', n, r, [
          a('name', cloudName(r, 40)),
          a('location', zone(ctx, r)),
          a('min_master_version', prop(ctx, r, 'version')),
          a('remove_default_node_pool', true),
          a('initial_node_count', 1),
          a('deletion_protection', true),
          a('network', subnet ? networkOf(ctx, r, subnet, 'id') : undefined),
          a('subnetwork', subnet ? ref(ctx, r, subnet, 'id') : undefined),
        ]),
        resource('google_container_node_pool', n, r, [
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
              a('oauth_scopes', ['https://www.googleapis.com/auth/cloud-platform']),
            ],
          ),
        ]),
      ];
    }
    case 'function': {
      const src = `${n}_source`;
      const handler = p.handler as string;
      return [
        resource('google_storage_bucket', src, r, [
          a('name', cloudName(r, 63, '-src')),
          a('location', ctx.bp.region.toUpperCase()),
          a('uniform_bucket_level_access', true),
          a('public_access_prevention', 'enforced'),
        ]),
        resource('google_storage_bucket_object', src, r, [
          a('name', `${n}.zip`),
          a('bucket', own(r, 'google_storage_bucket', src, 'name')),
          a('source', `dist/${n}.zip`),
        ]),
        resource('google_cloudfunctions2_function', n, r, [
          a('name', cloudName(r)),
          a('location', ctx.bp.region),
          BLANK,
          block(
            'build_config',
            [],
            [
              a('runtime', RUNTIME_MAP[p.runtime as string]!.gcp),
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
              a('available_memory', `${String(p.memoryMb)}M`),
              a('max_instance_count', 10),
              a('ingress_settings', 'ALLOW_INTERNAL_ONLY'),
            ],
          ),
        ]),
      ];
    }
    case 'queue':
      return [
        resource('google_pubsub_topic', n, r, [a('name', cloudName(r, 255))]),
        resource('google_pubsub_subscription', n, r, [
          a('name', cloudName(r, 255)),
          a('topic', own(r, 'google_pubsub_topic', n, 'id')),
          a('enable_message_ordering', prop(ctx, r, 'fifo')),
          a('ack_deadline_seconds', 30),
        ]),
      ];
  }
}
