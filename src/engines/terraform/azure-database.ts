/** Azure databases: flexible servers, their storage tiers, private endpoints and DNS zones. */
import type { PreparedResource } from '../blueprint.js';
import { providerEngineVersion } from '../provider-rules.js';
import { globalHead, head, postgresStorageMb, RG, STORAGE_MB, tags } from './azure-common.js';
import { own, pick, prop, ref, resource, shared, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, Raw, type Block, type HclValue } from './hcl.js';

// PostgreSQL rounds storage up to the next allowed size: a variable is rounded by the same rule.
function storageMb(ctx: TfContext, r: PreparedResource): HclValue {
  const gb = prop(ctx, r, 'storageGb')!;
  if (!(gb instanceof Raw)) return postgresStorageMb(r.props.storageGb as number);
  return raw(`[for mb in [${STORAGE_MB.join(', ')}] : mb if mb >= ${gb.text} * 1024][0]`);
}

// A database in a subnet is reached through a private endpoint, its name resolved by a private DNS zone.
function privateEndpoint(ctx: TfContext, r: PreparedResource, serverType: string, mysql: boolean): Block[] {
  const subnet = (r.props.subnets as string[] | undefined)?.[0];
  if (!subnet) return [];
  const s = ctx.bp.byName.get(subnet)!;
  const net = ctx.bp.byName.get(s.props.network as string)!;
  const zone = mysql ? 'mysql' : 'postgres';
  const zoneAddr = shared(ctx, 'resource', 'azurerm_private_dns_zone', zone, [
    a('name', `privatelink.${zone}.database.azure.com`),
    a('resource_group_name', raw(`${RG}.name`)),
    a('tags', tags(ctx)),
  ]);
  shared(ctx, 'resource', 'azurerm_private_dns_zone_virtual_network_link', `${zone}_${net.name}`, [
    ...(net.count === undefined ? [] : [a('count', net.count), BLANK]),
    a('name', net.count === undefined ? net.name : raw(`"${net.name}-\${count.index}"`)),
    a('resource_group_name', raw(`${RG}.name`)),
    a('private_dns_zone_name', raw(`${zoneAddr}.name`)),
    a('virtual_network_id', own(net, 'azurerm_virtual_network', net.name, 'id')),
  ]);
  return [
    resource(ctx, 'azurerm_private_endpoint', r.name, r, [
      ...head(ctx, r, '-pe', 80),
      a('subnet_id', ref(ctx, r, subnet, 'id')),
      a('tags', tags(ctx)),
      BLANK,
      block(
        'private_service_connection',
        [],
        [
          a('name', 'database'),
          a('private_connection_resource_id', own(r, serverType, r.name, 'id')),
          a('subresource_names', [mysql ? 'mysqlServer' : 'postgresqlServer']),
          a('is_manual_connection', false),
        ],
      ),
      BLANK,
      block('private_dns_zone_group', [], [a('name', 'default'), a('private_dns_zone_ids', [raw(`${zoneAddr}.id`)])]),
    ]),
  ];
}

/** A PostgreSQL or MySQL flexible server, with a private endpoint when it is given a subnet. */
export function database(ctx: TfContext, r: PreparedResource): Block[] {
  const p = r.props;
  const n = r.name;
  ctx.extra.add('random');
  const mysql = p.engine === 'mysql';
  const type = mysql ? 'azurerm_mysql_flexible_server' : 'azurerm_postgresql_flexible_server';
  const ha = p.multiAz === true ? [BLANK, block('high_availability', [], [a('mode', 'ZoneRedundant')])] : [];
  const common = [
    ...globalHead(ctx, r),
    a('version', providerEngineVersion('azure', String(p.engine), p.engineVersion as string | undefined)),
    a('sku_name', prop(ctx, r, 'size')),
    a('administrator_login', 'dbadmin'),
    a('administrator_password', own(r, 'random_password', n, 'result')),
    a('backup_retention_days', 7),
  ];
  const server = mysql
    ? resource(ctx, type, n, r, [
        ...common,
        a('public_network_access', pick(ctx, r, 'publiclyAccessible', 'Enabled', 'Disabled')),
        a('tags', tags(ctx)),
        BLANK,
        block('storage', [], [a('size_gb', prop(ctx, r, 'storageGb'))]),
        ...ha,
      ])
    : resource(ctx, type, n, r, [
        ...common,
        a('storage_mb', storageMb(ctx, r)),
        a('public_network_access_enabled', prop(ctx, r, 'publiclyAccessible')),
        a('tags', tags(ctx)),
        ...ha,
      ]);
  return [
    resource(ctx, 'random_password', n, r, [
      a('length', 32),
      a('special', true),
      a('override_special', '!#*()-_=+[]:?'),
    ]),
    server,
    ...privateEndpoint(ctx, r, type, mysql),
  ];
}
