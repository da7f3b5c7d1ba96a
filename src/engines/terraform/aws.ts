/** Terraform for AWS (hashicorp/aws 5.x): one function per catalogue type. */
import type { PreparedResource } from '../blueprint.js';
import { RUNTIME_MAP, resolveImage } from '../catalogue-mappings.js';
import { pointer } from '../errors.js';
import { cloudName, countedCidr, own, prop, ref, refList, resource, shared, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, Raw, template, type Block, type HclValue } from './hcl.js';

const not = (v: HclValue | undefined): HclValue => (v instanceof Raw ? raw(`!${v.text}`) : !v);

function zone(ctx: TfContext, r: PreparedResource): Raw {
  const azs = shared(ctx, 'data', 'aws_availability_zones', 'available', [a('state', 'available')]);
  return raw(r.count === undefined ? `${azs}.names[0]` : `${azs}.names[count.index % length(${azs}.names)]`);
}

// Without explicit subnets, load balancers and clusters land in the default VPC's subnets.
function subnetIds(ctx: TfContext, r: PreparedResource): Raw {
  const names = r.props.subnets as string[] | undefined;
  if (names && names.length > 0) return refList(ctx, names, 'id');
  const vpc = shared(ctx, 'data', 'aws_vpc', 'default', [a('default', true)]);
  return raw(
    shared(ctx, 'data', 'aws_subnets', 'default', [
      block('filter', [], [a('name', 'vpc-id'), a('values', [raw(`${vpc}.id`)])]),
    ]) + '.ids',
  );
}

function assumeRole(ctx: TfContext, service: string): string {
  const name = service.split('.')[0] + '_assume';
  return shared(ctx, 'data', 'aws_iam_policy_document', name, [
    block(
      'statement',
      [],
      [
        a('actions', ['sts:AssumeRole']),
        BLANK,
        block('principals', [], [a('type', 'Service'), a('identifiers', [service])]),
      ],
    ),
  ]);
}

function role(
  ctx: TfContext,
  r: PreparedResource,
  name: string,
  service: string,
  policies: Record<string, string>,
): Block[] {
  const out = [
    resource('aws_iam_role', name, r, [
      a('name', cloudName(r, 64, name.slice(r.name.length))),
      a('assume_role_policy', raw(`${assumeRole(ctx, service)}.json`)),
    ]),
  ];
  for (const [suffix, arn] of Object.entries(policies)) {
    out.push(
      resource('aws_iam_role_policy_attachment', name + suffix, r, [
        a('role', own(r, 'aws_iam_role', name, 'name')),
        a('policy_arn', `arn:aws:iam::aws:policy/${arn}`),
      ]),
    );
  }
  return out;
}

function publicSubnetRouting(ctx: TfContext, r: PreparedResource): Block[] {
  const net = ctx.bp.byName.get(r.props.network as string)!;
  shared(ctx, 'resource', 'aws_internet_gateway', net.name, [
    ...(net.count === undefined ? [] : [a('count', net.count), BLANK]),
    a('vpc_id', own(net, 'aws_vpc', net.name, 'id')),
  ]);
  const igw = ref(ctx, r, net.name, 'id').text.replace(/^aws_vpc\./, 'aws_internet_gateway.');
  return [
    resource('aws_route_table', r.name, r, [
      a('vpc_id', ref(ctx, r, net.name, 'id')),
      BLANK,
      block('route', [], [a('cidr_block', '0.0.0.0/0'), a('gateway_id', raw(igw))]),
    ]),
    resource('aws_route_table_association', r.name, r, [
      a('subnet_id', own(r, 'aws_subnet', r.name, 'id')),
      a('route_table_id', own(r, 'aws_route_table', r.name, 'id')),
    ]),
  ];
}

function ami(ctx: TfContext, r: PreparedResource): HclValue {
  const image = resolveImage(r.props.image as string, 'aws', pointer('resources', r.index, 'properties', 'image'));
  if (image.kind !== 'ssm') return prop(ctx, r, 'image')!;
  const name = image.alias.replace(/[^a-z0-9]/g, '_');
  return raw(`nonsensitive(${shared(ctx, 'data', 'aws_ssm_parameter', name, [a('name', image.parameter)])}.value)`);
}

/** The AWS resources of one blueprint resource. */
export function emitAws(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  switch (r.type) {
    case 'network':
      return [
        resource('aws_vpc', n, r, [
          a('cidr_block', countedCidr(prop(ctx, r, 'cidr')!, r.count)),
          a('enable_dns_hostnames', true),
          a('enable_dns_support', true),
        ]),
      ];
    case 'subnet': {
      const subnet = resource('aws_subnet', n, r, [
        a('vpc_id', ref(ctx, r, p.network as string, 'id')),
        a('cidr_block', countedCidr(prop(ctx, r, 'cidr')!, r.count)),
        a('availability_zone', zone(ctx, r)),
        a('map_public_ip_on_launch', prop(ctx, r, 'public')),
      ]);
      return p.public === true ? [subnet, ...publicSubnetRouting(ctx, r)] : [subnet];
    }
    case 'security_group': {
      const rules = (p.ingress as Array<Record<string, unknown>>).map((i) =>
        block(
          'ingress',
          [],
          [
            a('description', i.description as string | undefined),
            a('from_port', i.protocol === 'all' ? 0 : (i.fromPort as number)),
            a('to_port', i.protocol === 'all' ? 0 : (i.toPort as number)),
            a('protocol', i.protocol === 'all' ? '-1' : (i.protocol as string)),
            a('cidr_blocks', [i.cidr as string]),
          ],
        ),
      );
      const egress = block(
        'egress',
        [],
        [a('from_port', 0), a('to_port', 0), a('protocol', '-1'), a('cidr_blocks', ['0.0.0.0/0'])],
      );
      return [
        resource('aws_security_group', n, r, [
          a('name', cloudName(r, 255)),
          a('description', prop(ctx, r, 'description')),
          a('vpc_id', p.network ? ref(ctx, r, p.network as string, 'id') : undefined),
          ...rules.flatMap((b) => [BLANK, b]),
          BLANK,
          egress,
        ]),
      ];
    }
    case 'vm':
      return [
        resource('aws_instance', n, r, [
          a('ami', ami(ctx, r)),
          a('instance_type', prop(ctx, r, 'size')),
          a('subnet_id', p.subnet ? ref(ctx, r, p.subnet as string, 'id') : undefined),
          a('vpc_security_group_ids', p.securityGroups ? refList(ctx, p.securityGroups as string[], 'id') : undefined),
          a('associate_public_ip_address', prop(ctx, r, 'publicIp')),
          BLANK,
          block(
            'root_block_device',
            [],
            [a('volume_size', prop(ctx, r, 'diskGb')), a('volume_type', 'gp3'), a('encrypted', true)],
          ),
          BLANK,
          block('metadata_options', [], [a('http_tokens', 'required')]),
        ]),
      ];
    case 'disk':
      return [
        resource('aws_ebs_volume', n, r, [
          a('availability_zone', zone(ctx, r)),
          a('size', prop(ctx, r, 'sizeGb')),
          a('type', prop(ctx, r, 'diskType')),
          a('encrypted', prop(ctx, r, 'encrypted')),
        ]),
      ];
    case 'bucket': {
      const bucket = own(r, 'aws_s3_bucket', n, 'id');
      const isPublic = prop(ctx, r, 'public');
      const out = [
        resource('aws_s3_bucket', n, r, [
          a(
            'bucket_prefix',
            r.count === undefined ? `${n.slice(0, 30)}-` : template([`${n.slice(0, 30)}-`, raw('count.index'), '-']),
          ),
        ]),
        resource(
          'aws_s3_bucket_public_access_block',
          n,
          r,
          ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].reduce(
            (body, k) => [...body, a(k, not(isPublic))],
            [a('bucket', bucket)],
          ),
        ),
      ];
      if (p.encrypted === true) {
        out.push(
          resource('aws_s3_bucket_server_side_encryption_configuration', n, r, [
            a('bucket', bucket),
            BLANK,
            block(
              'rule',
              [],
              [
                block('apply_server_side_encryption_by_default', [], [a('sse_algorithm', 'aws:kms')]),
                BLANK,
                a('bucket_key_enabled', true),
              ],
            ),
          ]),
        );
      }
      if (p.versioning === true) {
        out.push(
          resource('aws_s3_bucket_versioning', n, r, [
            a('bucket', bucket),
            BLANK,
            block('versioning_configuration', [], [a('status', 'Enabled')]),
          ]),
        );
      }
      return out;
    }
    case 'database': {
      ctx.extra.add('random');
      const out = [
        resource('random_password', n, r, [
          a('length', 32),
          a('special', true),
          a('override_special', '!#*()-_=+[]:?'),
        ]),
      ];
      if (p.subnets)
        out.push(
          resource('aws_db_subnet_group', n, r, [
            a('name', cloudName(r, 255)),
            a('subnet_ids', refList(ctx, p.subnets as string[], 'id')),
          ]),
        );
      out.push(
        resource('aws_db_instance', n, r, [
          a('identifier', cloudName(r, 63)),
          a('engine', prop(ctx, r, 'engine')),
          a('engine_version', prop(ctx, r, 'engineVersion') ?? (p.engine === 'mysql' ? '8.0' : '16')),
          a('instance_class', prop(ctx, r, 'size')),
          a('allocated_storage', prop(ctx, r, 'storageGb')),
          a('storage_type', 'gp3'),
          a('storage_encrypted', prop(ctx, r, 'encrypted')),
          a('publicly_accessible', prop(ctx, r, 'publiclyAccessible')),
          a('multi_az', prop(ctx, r, 'multiAz')),
          a('username', 'dbadmin'),
          a('password', own(r, 'random_password', n, 'result')),
          a('db_subnet_group_name', p.subnets ? own(r, 'aws_db_subnet_group', n, 'name') : undefined),
          a('skip_final_snapshot', false),
          a('final_snapshot_identifier', cloudName(r, 240, '-final')),
        ]),
      );
      return out;
    }
    case 'cache':
      return [
        resource('aws_elasticache_replication_group', n, r, [
          a('replication_group_id', cloudName(r, 40)),
          a('description', `Managed by IAC Dharma: ${n}`),
          a('engine', 'redis'),
          a('node_type', prop(ctx, r, 'size')),
          a('num_cache_clusters', prop(ctx, r, 'nodes')),
          a('port', 6379),
          a('automatic_failover_enabled', (p.nodes as number) > 1),
          a('at_rest_encryption_enabled', true),
          a('transit_encryption_enabled', true),
        ]),
      ];
    case 'load_balancer':
      return [
        resource('aws_lb', n, r, [
          a('name', cloudName(r, 32)),
          a('internal', not(prop(ctx, r, 'public'))),
          a('load_balancer_type', prop(ctx, r, 'kind')),
          a('subnets', subnetIds(ctx, r)),
          a('drop_invalid_header_fields', p.kind === 'application' ? true : undefined),
        ]),
      ];
    case 'nat_gateway':
      return [
        resource('aws_eip', n, r, [a('domain', 'vpc')]),
        resource('aws_nat_gateway', n, r, [
          a('allocation_id', own(r, 'aws_eip', n, 'id')),
          a('subnet_id', ref(ctx, r, p.subnet as string, 'id')),
        ]),
      ];
    case 'kubernetes_cluster': {
      const nodes = `${n}_nodes`;
      return [
        ...role(ctx, r, n, 'eks.amazonaws.com', { '': 'AmazonEKSClusterPolicy' }),
        resource('aws_eks_cluster', n, r, [
          a('name', cloudName(r, 100)),
          a('version', prop(ctx, r, 'version')),
          a('role_arn', own(r, 'aws_iam_role', n, 'arn')),
          BLANK,
          block('vpc_config', [], [a('subnet_ids', subnetIds(ctx, r))]),
          BLANK,
          a('depends_on', [raw(`aws_iam_role_policy_attachment.${n}`)]),
        ]),
        ...role(ctx, r, nodes, 'ec2.amazonaws.com', {
          _worker: 'AmazonEKSWorkerNodePolicy',
          _cni: 'AmazonEKS_CNI_Policy',
          _ecr: 'AmazonEC2ContainerRegistryReadOnly',
        }),
        resource('aws_eks_node_group', n, r, [
          a('cluster_name', own(r, 'aws_eks_cluster', n, 'name')),
          a('node_group_name', 'default'),
          a('node_role_arn', own(r, 'aws_iam_role', nodes, 'arn')),
          a('subnet_ids', subnetIds(ctx, r)),
          a('instance_types', [prop(ctx, r, 'nodeSize')!]),
          BLANK,
          block(
            'scaling_config',
            [],
            [a('desired_size', prop(ctx, r, 'nodeCount')), a('min_size', 1), a('max_size', prop(ctx, r, 'nodeCount'))],
          ),
          BLANK,
          a(
            'depends_on',
            ['_worker', '_cni', '_ecr'].map((s) => raw(`aws_iam_role_policy_attachment.${nodes}${s}`)),
          ),
        ]),
      ];
    }
    case 'function':
      return [
        ...role(ctx, r, n, 'lambda.amazonaws.com', { '': 'service-role/AWSLambdaBasicExecutionRole' }),
        resource('aws_lambda_function', n, r, [
          a('function_name', cloudName(r, 64)),
          a('role', own(r, 'aws_iam_role', n, 'arn')),
          a('runtime', RUNTIME_MAP[p.runtime as string]!.aws),
          a('handler', prop(ctx, r, 'handler')),
          a('memory_size', prop(ctx, r, 'memoryMb')),
          a('filename', `dist/${n}.zip`),
          a('source_code_hash', raw(`filebase64sha256("dist/${n}.zip")`)),
        ]),
      ];
    case 'queue':
      return [
        resource('aws_sqs_queue', n, r, [
          a(
            'name',
            p.fifo === true
              ? r.count === undefined
                ? `${n}.fifo`
                : template([`${n}-`, raw('count.index'), '.fifo'])
              : cloudName(r, 80),
          ),
          a('fifo_queue', prop(ctx, r, 'fifo')),
          a('sqs_managed_sse_enabled', true),
        ]),
      ];
  }
}
