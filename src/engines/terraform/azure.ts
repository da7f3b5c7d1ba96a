/** Terraform for Azure (hashicorp/azurerm 4.x): resource group, NICs and keys declared as needed. */
import type { PreparedResource } from '../blueprint.js';
import { RUNTIME_MAP, resolveImage } from '../catalogue-mappings.js';
import { pointer } from '../errors.js';
import {
  globalHead,
  group,
  head,
  natAssociations,
  portRange,
  publicIp,
  redisSku,
  RG,
  subnetId,
  tags,
} from './azure-common.js';
import { cloudName, own, pick, plannedCidr, prop, ref, resource, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, Raw, type Block, type HclValue } from './hcl.js';

import { database } from './azure-database.js';

export { azureLocals } from './azure-common.js';

const inList = (v: HclValue) => (v instanceof Raw ? raw(`[${v.text}]`) : [v]);

function securityGroup(ctx: TfContext, r: PreparedResource): Block[] {
  const rules = (r.props.ingress as Array<Record<string, unknown>>).map((i, k) =>
    block(
      'security_rule',
      [],
      [
        a('name', `ingress-${k}`),
        a('priority', 100 + k),
        a('direction', 'Inbound'),
        a('access', 'Allow'),
        a(
          'protocol',
          ({ tcp: 'Tcp', udp: 'Udp', icmp: 'Icmp', all: '*' } as Record<string, string>)[i.protocol as string]!,
        ),
        a('source_port_range', '*'),
        a('destination_port_range', portRange(i.fromPort as number, i.toPort as number, i.protocol as string)),
        a('source_address_prefix', prop(ctx, r, 'ingress', k, 'cidr')),
        a('destination_address_prefix', '*'),
      ],
    ),
  );
  return [
    resource(ctx, 'azurerm_network_security_group', r.name, r, [
      ...head(ctx, r),
      a('tags', tags(ctx)),
      ...rules.flatMap((b) => [BLANK, b]),
    ]),
  ];
}

function vm(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  const image = resolveImage(p.image as string, 'azure', pointer('resources', r.index, 'properties', 'image'));
  if (image.kind !== 'azure') throw new Error('unreachable');
  ctx.extra.add('tls');
  const out: Block[] = [];
  if (p.publicIp === true) out.push(publicIp(ctx, r));
  out.push(
    resource(ctx, 'azurerm_network_interface', n, r, [
      ...head(ctx, r, '-nic'),
      a('tags', tags(ctx)),
      BLANK,
      block(
        'ip_configuration',
        [],
        [
          a('name', 'internal'),
          a('subnet_id', subnetId(ctx, r, p.subnet as string | undefined)),
          a('private_ip_address_allocation', 'Dynamic'),
          a('public_ip_address_id', p.publicIp === true ? own(r, 'azurerm_public_ip', n, 'id') : undefined),
        ],
      ),
    ]),
  );
  const groups = p.securityGroups as string[] | undefined;
  if (groups && groups.length > 0) {
    // A NIC takes one NSG; the first listed group is associated.
    out.push(
      resource(ctx, 'azurerm_network_interface_security_group_association', n, r, [
        a('network_interface_id', own(r, 'azurerm_network_interface', n, 'id')),
        a('network_security_group_id', ref(ctx, r, groups[0]!, 'id')),
      ]),
    );
  }
  out.push(resource(ctx, 'tls_private_key', n, r, [a('algorithm', 'RSA'), a('rsa_bits', 4096)]));
  out.push(
    resource(ctx, 'azurerm_linux_virtual_machine', n, r, [
      ...head(ctx, r, '', 64),
      a('size', prop(ctx, r, 'size')),
      a('admin_username', 'azureuser'),
      a('network_interface_ids', raw(`[${own(r, 'azurerm_network_interface', n, 'id').text}]`)),
      a('tags', tags(ctx)),
      BLANK,
      block(
        'admin_ssh_key',
        [],
        [a('username', 'azureuser'), a('public_key', own(r, 'tls_private_key', n, 'public_key_openssh'))],
      ),
      BLANK,
      block(
        'os_disk',
        [],
        [
          a('caching', 'ReadWrite'),
          a('storage_account_type', 'StandardSSD_LRS'),
          a('disk_size_gb', prop(ctx, r, 'diskGb')),
        ],
      ),
      BLANK,
      block(
        'source_image_reference',
        [],
        [a('publisher', image.publisher), a('offer', image.offer), a('sku', image.sku), a('version', image.version)],
      ),
    ]),
  );
  return out;
}

function loadBalancer(ctx: TfContext, r: PreparedResource): Block[] {
  const subnets = r.props.subnets as string[] | undefined;
  const frontend =
    r.props.public === true
      ? [a('name', 'frontend'), a('public_ip_address_id', own(r, 'azurerm_public_ip', r.name, 'id'))]
      : [
          a('name', 'frontend'),
          a('subnet_id', subnetId(ctx, r, subnets?.[0])),
          a('private_ip_address_allocation', 'Dynamic'),
        ];
  return [
    ...(r.props.public === true ? [publicIp(ctx, r)] : []),
    resource(ctx, 'azurerm_lb', r.name, r, [
      ...head(ctx, r, '', 80),
      a('sku', 'Standard'),
      a('tags', tags(ctx)),
      BLANK,
      block('frontend_ip_configuration', [], frontend),
    ]),
  ];
}

function fn(ctx: TfContext, r: PreparedResource): Block[] {
  const n = r.name;
  const [key, version] = RUNTIME_MAP[r.props.runtime as string]!.azure;
  const storage = `${n}_storage`;
  return [
    resource(ctx, 'azurerm_storage_account', storage, r, [
      ...globalHead(ctx, r, 'fn', true),
      a('account_tier', 'Standard'),
      a('account_replication_type', 'LRS'),
      a('min_tls_version', 'TLS1_2'),
      a('tags', tags(ctx)),
    ]),
    resource(ctx, 'azurerm_service_plan', n, r, [
      ...head(ctx, r, '-plan'),
      a('os_type', 'Linux'),
      a('sku_name', 'Y1'),
      a('tags', tags(ctx)),
    ]),
    resource(ctx, 'azurerm_linux_function_app', n, r, [
      ...globalHead(ctx, r),
      a('service_plan_id', own(r, 'azurerm_service_plan', n, 'id')),
      a('storage_account_name', own(r, 'azurerm_storage_account', storage, 'name')),
      a('storage_account_access_key', own(r, 'azurerm_storage_account', storage, 'primary_access_key')),
      a('https_only', true),
      a('tags', tags(ctx)),
      BLANK,
      block('site_config', [], [block('application_stack', [], [a(key, version)])]),
    ]),
  ];
}

/** The Azure resources of one blueprint resource. */
export function emitAzure(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  switch (r.type) {
    case 'network':
      return [
        resource(ctx, 'azurerm_virtual_network', n, r, [
          ...head(ctx, r),
          a('address_space', inList(plannedCidr(ctx, r))),
          a('tags', tags(ctx)),
        ]),
      ];
    case 'subnet':
      group(ctx);
      return [
        resource(ctx, 'azurerm_subnet', n, r, [
          a('name', cloudName(r, 80)),
          a('resource_group_name', raw(`${RG}.name`)),
          a('virtual_network_name', ref(ctx, r, p.network as string, 'name')),
          a('address_prefixes', inList(plannedCidr(ctx, r))),
        ]),
        ...natAssociations(ctx, r),
      ];
    case 'security_group':
      return securityGroup(ctx, r);
    case 'vm':
      return vm(ctx, r);
    case 'disk':
      return [
        resource(ctx, 'azurerm_managed_disk', n, r, [
          ...head(ctx, r, '', 80),
          a('storage_account_type', prop(ctx, r, 'diskType')),
          a('create_option', 'Empty'),
          a('disk_size_gb', prop(ctx, r, 'sizeGb')),
          a('tags', tags(ctx)),
        ]),
      ];
    case 'bucket':
      return [
        resource(ctx, 'azurerm_storage_account', n, r, [
          ...globalHead(ctx, r, '', true),
          a('account_tier', 'Standard'),
          a('account_replication_type', 'LRS'),
          a('min_tls_version', 'TLS1_2'),
          a('https_traffic_only_enabled', true),
          a('allow_nested_items_to_be_public', prop(ctx, r, 'public')),
          a('infrastructure_encryption_enabled', prop(ctx, r, 'encrypted')),
          a('tags', tags(ctx)),
          BLANK,
          block('blob_properties', [], [a('versioning_enabled', prop(ctx, r, 'versioning'))]),
        ]),
        resource(ctx, 'azurerm_storage_container', n, r, [
          a('name', 'data'),
          a('storage_account_id', own(r, 'azurerm_storage_account', n, 'id')),
          a('container_access_type', pick(ctx, r, 'public', 'blob', 'private')),
        ]),
      ];
    case 'database':
      return database(ctx, r);
    case 'cache': {
      const sku = redisSku(p.size as string);
      return [
        resource(ctx, 'azurerm_redis_cache', n, r, [
          ...globalHead(ctx, r),
          a('capacity', sku.capacity),
          a('family', sku.family),
          a('sku_name', sku.sku),
          a('minimum_tls_version', '1.2'),
          a('non_ssl_port_enabled', false),
          a('tags', tags(ctx)),
        ]),
      ];
    }
    case 'load_balancer':
      return loadBalancer(ctx, r);
    case 'nat_gateway':
      return [
        publicIp(ctx, r),
        resource(ctx, 'azurerm_nat_gateway', n, r, [
          ...head(ctx, r, '', 80),
          a('sku_name', 'Standard'),
          a('tags', tags(ctx)),
        ]),
        resource(ctx, 'azurerm_nat_gateway_public_ip_association', n, r, [
          a('nat_gateway_id', own(r, 'azurerm_nat_gateway', n, 'id')),
          a('public_ip_address_id', own(r, 'azurerm_public_ip', n, 'id')),
        ]),
      ];
    case 'kubernetes_cluster': {
      const subnets = p.subnets as string[] | undefined;
      return [
        resource(ctx, 'azurerm_kubernetes_cluster', n, r, [
          ...head(ctx, r),
          a('dns_prefix', cloudName(r, 54)),
          a('kubernetes_version', prop(ctx, r, 'version')),
          a('private_cluster_enabled', pick(ctx, r, 'publicEndpoint', false, true)),
          a('tags', tags(ctx)),
          BLANK,
          block(
            'default_node_pool',
            [],
            [
              a('name', 'default'),
              a('vm_size', prop(ctx, r, 'nodeSize')),
              a('node_count', prop(ctx, r, 'nodeCount')),
              a('os_disk_size_gb', prop(ctx, r, 'nodeDiskGb')),
              a('vnet_subnet_id', subnets && subnets.length > 0 ? ref(ctx, r, subnets[0]!, 'id') : undefined),
            ],
          ),
          BLANK,
          block('identity', [], [a('type', 'SystemAssigned')]),
        ]),
      ];
    }
    case 'function':
      return fn(ctx, r);
    case 'queue':
      return [
        resource(ctx, 'azurerm_servicebus_namespace', n, r, [
          ...globalHead(ctx, r),
          a('sku', 'Standard'),
          a('tags', tags(ctx)),
        ]),
        resource(ctx, 'azurerm_servicebus_queue', n, r, [
          a('name', cloudName(r, 260)),
          a('namespace_id', own(r, 'azurerm_servicebus_namespace', n, 'id')),
          a('requires_session', prop(ctx, r, 'fifo')),
        ]),
      ];
  }
}
