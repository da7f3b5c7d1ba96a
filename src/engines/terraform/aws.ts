/** Terraform for AWS (hashicorp/aws 5.x): one function per catalogue type. */
import type { PreparedResource } from '../blueprint.js';
import { RUNTIME_MAP, resolveImage } from '../catalogue-mappings.js';
import { pointer } from '../errors.js';
import { NAME_RULES } from '../names.js';
import { providerEngineVersion } from '../provider-rules.js';
import {
  cloudName,
  globalName,
  groupList,
  notProp,
  own,
  plannedCidr,
  prop,
  ref,
  resource,
  shared,
  subnetList,
  zoneIndex,
  type TfContext,
} from './context.js';
import { diskZone, routing, securityGroup, subnetIds, ZONES, zones } from './aws-network.js';
import { attr as a, BLANK, block, raw, template, type Block, type HclValue } from './hcl.js';

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
    resource(ctx, 'aws_iam_role', name, r, [
      a('name', cloudName(r, 64, name.slice(r.name.length))),
      a('assume_role_policy', raw(`${assumeRole(ctx, service)}.json`)),
    ]),
  ];
  for (const [suffix, arn] of Object.entries(policies)) {
    out.push(
      resource(ctx, 'aws_iam_role_policy_attachment', name + suffix, r, [
        a('role', own(r, 'aws_iam_role', name, 'name')),
        a('policy_arn', `arn:aws:iam::aws:policy/${arn}`),
      ]),
    );
  }
  return out;
}

function ami(ctx: TfContext, r: PreparedResource): HclValue {
  const image = resolveImage(r.props.image as string, 'aws', pointer('resources', r.index, 'properties', 'image'));
  if (image.kind !== 'ssm') return prop(ctx, r, 'image')!;
  const name = image.alias.replace(/[^a-z0-9]/g, '_');
  return raw(`nonsensitive(${shared(ctx, 'data', 'aws_ssm_parameter', name, [a('name', image.parameter)])}.value)`);
}

function bucket(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const id = own(r, 'aws_s3_bucket', n, 'id');
  const blockPublic = notProp(ctx, r, 'public');
  const out = [
    resource(ctx, 'aws_s3_bucket', n, r, [a('bucket_prefix', globalName(ctx, r, NAME_RULES.s3Prefix))]),
    resource(
      ctx,
      'aws_s3_bucket_public_access_block',
      n,
      r,
      ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']
        .map((k) => a(k, blockPublic))
        .reduce((body, item) => [...body, item], [a('bucket', id)]),
    ),
  ];
  if (r.props.encrypted === true) {
    out.push(
      resource(ctx, 'aws_s3_bucket_server_side_encryption_configuration', n, r, [
        a('bucket', id),
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
  if (r.props.versioning === true) {
    out.push(
      resource(ctx, 'aws_s3_bucket_versioning', n, r, [
        a('bucket', id),
        BLANK,
        block('versioning_configuration', [], [a('status', 'Enabled')]),
      ]),
    );
  }
  return out;
}

function database(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  ctx.extra.add('random');
  const out = [
    resource(ctx, 'random_password', n, r, [
      a('length', 32),
      a('special', true),
      a('override_special', '!#*()-_=+[]:?'),
    ]),
  ];
  const subnets = p.subnets as string[] | undefined;
  if (subnets && subnets.length > 0)
    out.push(
      resource(ctx, 'aws_db_subnet_group', n, r, [
        a('name', cloudName(r, 255)),
        a('subnet_ids', subnetList(ctx, r, subnets, 'id')),
      ]),
    );
  out.push(
    resource(ctx, 'aws_db_instance', n, r, [
      a('identifier', cloudName(r, 63)),
      a('engine', prop(ctx, r, 'engine')),
      a('engine_version', prop(ctx, r, 'engineVersion') ?? providerEngineVersion('aws', String(p.engine), undefined)),
      a('instance_class', prop(ctx, r, 'size')),
      a('allocated_storage', prop(ctx, r, 'storageGb')),
      a('storage_type', 'gp3'),
      a('storage_encrypted', prop(ctx, r, 'encrypted')),
      a('publicly_accessible', prop(ctx, r, 'publiclyAccessible')),
      a('multi_az', prop(ctx, r, 'multiAz')),
      a('username', 'dbadmin'),
      a('password', own(r, 'random_password', n, 'result')),
      a('db_subnet_group_name', subnets && subnets.length > 0 ? own(r, 'aws_db_subnet_group', n, 'name') : undefined),
      a('skip_final_snapshot', false),
      a('final_snapshot_identifier', cloudName(r, 240, '-final')),
    ]),
  );
  return out;
}

function cluster(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const nodes = `${n}_nodes`;
  return [
    ...role(ctx, r, n, 'eks.amazonaws.com', { '': 'AmazonEKSClusterPolicy' }),
    resource(ctx, 'aws_eks_cluster', n, r, [
      a('name', cloudName(r, 100)),
      a('version', prop(ctx, r, 'version')),
      a('role_arn', own(r, 'aws_iam_role', n, 'arn')),
      BLANK,
      block(
        'vpc_config',
        [],
        [
          a('subnet_ids', subnetIds(ctx, r)),
          a('endpoint_private_access', true),
          a('endpoint_public_access', prop(ctx, r, 'publicEndpoint')),
        ],
      ),
      BLANK,
      a('depends_on', [raw(`aws_iam_role_policy_attachment.${n}`)]),
    ]),
    ...role(ctx, r, nodes, 'ec2.amazonaws.com', {
      _worker: 'AmazonEKSWorkerNodePolicy',
      _cni: 'AmazonEKS_CNI_Policy',
      _ecr: 'AmazonEC2ContainerRegistryReadOnly',
    }),
    resource(ctx, 'aws_eks_node_group', n, r, [
      a('cluster_name', own(r, 'aws_eks_cluster', n, 'name')),
      a('node_group_name', 'default'),
      a('node_role_arn', own(r, 'aws_iam_role', nodes, 'arn')),
      a('subnet_ids', subnetIds(ctx, r)),
      a('instance_types', [prop(ctx, r, 'nodeSize')!]),
      a('disk_size', prop(ctx, r, 'nodeDiskGb')),
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

/** The AWS resources of one blueprint resource. */
export function emitAws(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  switch (r.type) {
    case 'network': {
      const vpc = resource(ctx, 'aws_vpc', n, r, [
        a('cidr_block', plannedCidr(ctx, r)),
        a('enable_dns_hostnames', true),
        a('enable_dns_support', true),
      ]);
      // Without rules the default group denies everything: instances must name their groups.
      if (p.restrictDefaultSecurityGroup !== true) return [vpc];
      return [vpc, resource(ctx, 'aws_default_security_group', n, r, [a('vpc_id', own(r, 'aws_vpc', n, 'id'))])];
    }
    case 'subnet':
      zones(ctx);
      return [
        resource(ctx, 'aws_subnet', n, r, [
          a('vpc_id', ref(ctx, r, p.network as string, 'id')),
          a('cidr_block', plannedCidr(ctx, r)),
          a('availability_zone', raw(`${ZONES}[${zoneIndex(ctx, r)}]`)),
          a('map_public_ip_on_launch', prop(ctx, r, 'autoAssignPublicIp')),
        ]),
        ...routing(ctx, r),
      ];
    case 'security_group':
      return securityGroup(ctx, r);
    case 'vm':
      return [
        resource(ctx, 'aws_instance', n, r, [
          a('ami', ami(ctx, r)),
          a('instance_type', prop(ctx, r, 'size')),
          a('subnet_id', p.subnet ? ref(ctx, r, p.subnet as string, 'id') : undefined),
          a(
            'vpc_security_group_ids',
            p.securityGroups ? groupList(ctx, r, p.securityGroups as string[], 'id') : undefined,
          ),
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
        resource(ctx, 'aws_ebs_volume', n, r, [
          a('availability_zone', diskZone(ctx, r)),
          a('size', prop(ctx, r, 'sizeGb')),
          a('type', prop(ctx, r, 'diskType')),
          a('encrypted', prop(ctx, r, 'encrypted')),
        ]),
      ];
    case 'bucket':
      return bucket(ctx, r);
    case 'database':
      return database(ctx, r);
    case 'cache':
      return [
        resource(ctx, 'aws_elasticache_replication_group', n, r, [
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
        resource(ctx, 'aws_lb', n, r, [
          a('name', cloudName(r, 32)),
          a('internal', notProp(ctx, r, 'public')),
          a('load_balancer_type', prop(ctx, r, 'kind')),
          a('subnets', subnetIds(ctx, r)),
          a('drop_invalid_header_fields', p.kind === 'application' ? true : undefined),
        ]),
      ];
    case 'nat_gateway':
      return [
        resource(ctx, 'aws_eip', n, r, [a('domain', 'vpc')]),
        resource(ctx, 'aws_nat_gateway', n, r, [
          a('allocation_id', own(r, 'aws_eip', n, 'id')),
          a('subnet_id', ref(ctx, r, p.subnet as string, 'id')),
        ]),
      ];
    case 'kubernetes_cluster':
      return cluster(ctx, r);
    case 'function':
      return [
        ...role(ctx, r, n, 'lambda.amazonaws.com', { '': 'service-role/AWSLambdaBasicExecutionRole' }),
        resource(ctx, 'aws_lambda_function', n, r, [
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
        resource(ctx, 'aws_sqs_queue', n, r, [
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
