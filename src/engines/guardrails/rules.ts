/**
 * The guardrail rules: data plus one small pure check each. To add a rule, append an entry to
 * RULES (docs/ENGINES.md walks through it); evaluate.ts needs no change.
 */
import type { PreparedBlueprint, PreparedResource } from '../blueprint.js';
import type { CostEstimate } from '../cost/index.js';
import { gcpFirewallName, gcpFirewallOfRule } from '../catalogue-mappings.js';
import type { Provider, ResourceType } from '../types.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Enforcement = 'advisory' | 'soft' | 'hard';

/** Tenant guardrail settings; empty lists mean "everything allowed". */
export interface GuardrailSettings {
  allowedRegions: string[];
  allowedSizes: string[];
  requiredTags: string[];
}

/** The permissive defaults (docs/API.md §6). */
export const DEFAULT_SETTINGS: Readonly<GuardrailSettings> = Object.freeze({
  allowedRegions: [],
  allowedSizes: [],
  requiredTags: ['Environment', 'Owner', 'CostCenter'],
});

/** What a rule's check sees. */
export interface RuleContext {
  bp: PreparedBlueprint;
  settings: GuardrailSettings;
  budgetMonthly: number | undefined;
  /** The cost estimate, computed on first use (only the budget rule needs it). */
  cost: () => CostEstimate;
}

/** One checked subject: `resource` is a Terraform address. */
export interface Finding {
  resource: string;
  passed: boolean;
  message: string;
}

/** A rule: metadata plus its check. */
export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  enforcement: Enforcement;
  remediation: string;
  check: (ctx: RuleContext) => Finding[];
}

/** Address used by blueprint-wide findings that concern no single resource (the budget). */
export const BLUEPRINT_ADDRESS = '*';
const PROVIDER_BLOCK = { aws: 'provider.aws', azure: 'provider.azurerm', gcp: 'provider.google' } as const;

// The Terraform addresses of instance `i` of `r` for each of `types` (auxiliaries share the name).
function addressesOf(r: PreparedResource, types: string[], i: number, name = r.name): string[] {
  return types.map((t) => `${t}.${name}${r.count === undefined ? '' : `[${i}]`}`);
}

/**
 * Applies a per-resource predicate to every instance of the resources of the given types, on the
 * providers where the risk exists. `where` names the resources a scanner (Checkov) reports the
 * risk on, per instance; by default the blueprint resource's primary address.
 */
function each(
  types: ResourceType[],
  test: (r: PreparedResource, ctx: RuleContext) => [passed: boolean, message: string],
  where?: (r: PreparedResource, i: number, passed: boolean, ctx: RuleContext) => string[],
  providers: Provider[] = ['aws', 'azure', 'gcp'],
) {
  return (ctx: RuleContext): Finding[] => {
    if (!providers.includes(ctx.bp.provider)) return [];
    const out: Finding[] = [];
    for (const r of ctx.bp.resources) {
      if (!types.includes(r.type)) continue;
      const [passed, message] = test(r, ctx);
      r.instances.forEach((address, i) => {
        for (const resource of where ? where(r, i, passed, ctx) : [address]) out.push({ resource, passed, message });
      });
    }
    return out;
  };
}

const ADMIN_PORTS = [22, 3389];
const OPEN = new Set(['0.0.0.0/0', '::/0']);

interface Ingress {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidr: string;
}

// An ingress rule that opens `port` to the whole internet.
const opens = (i: Ingress, port: number) =>
  OPEN.has(i.cidr) && i.protocol !== 'icmp' && (i.protocol === 'all' || (i.fromPort <= port && port <= i.toPort));

// On GCP a security group becomes one firewall per source CIDR: name the ones that open the ports.
function openFirewalls(r: PreparedResource, i: number, passed: boolean, { bp }: RuleContext): string[] {
  if (passed || bp.provider !== 'gcp') return [r.instances[i]!];
  const rules = r.props.ingress as Ingress[];
  const groups = gcpFirewallOfRule(rules);
  const names = [
    ...new Set(rules.flatMap((rule, k) => (ADMIN_PORTS.some((p) => opens(rule, p)) ? [groups[k]!] : []))),
  ].map((g) => gcpFirewallName(r.name, g));
  return names.map((n) => `google_compute_firewall.${n}${r.count === undefined ? '' : `[${i}]`}`);
}
const SIZE_PROPS: Partial<Record<ResourceType, string>> = {
  vm: 'size',
  database: 'size',
  cache: 'size',
  kubernetes_cluster: 'nodeSize',
};

/** Every rule, in evaluation order. */
export const RULES: readonly Rule[] = [
  {
    id: 'bucket-public',
    title: 'Buckets are not public',
    severity: 'critical',
    enforcement: 'hard',
    remediation: 'Set public: false and serve public content through a CDN or signed URLs.',
    check: each(
      ['bucket'],
      (r) =>
        r.props.public === true ? [false, `bucket "${r.name}" is public`] : [true, `bucket "${r.name}" is private`],
      // Where the exposure is configured: the public access block, the container's access level,
      // the allUsers binding, besides the bucket itself.
      (r, i, passed, { bp }) =>
        addressesOf(
          r,
          bp.provider === 'aws'
            ? ['aws_s3_bucket', 'aws_s3_bucket_public_access_block']
            : bp.provider === 'azure'
              ? ['azurerm_storage_account', 'azurerm_storage_container']
              : passed
                ? ['google_storage_bucket']
                : ['google_storage_bucket', 'google_storage_bucket_iam_member'],
          i,
        ),
    ),
  },
  {
    id: 'bucket-unencrypted',
    title: 'Buckets are encrypted at rest',
    severity: 'high',
    enforcement: 'hard',
    remediation: 'Set encrypted: true on the bucket.',
    // Azure and Google Cloud encrypt every bucket at rest whatever the blueprint says: AWS only.
    check: each(
      ['bucket'],
      (r) =>
        r.props.encrypted === false
          ? [false, `bucket "${r.name}" is not encrypted`]
          : [true, `bucket "${r.name}" is encrypted`],
      undefined,
      ['aws'],
    ),
  },
  {
    id: 'disk-unencrypted',
    title: 'Disks are encrypted at rest',
    severity: 'high',
    enforcement: 'hard',
    remediation: 'Set encrypted: true on the disk.',
    // Azure and Google Cloud encrypt every disk at rest whatever the blueprint says: AWS only.
    check: each(
      ['disk'],
      (r) =>
        r.props.encrypted === false
          ? [false, `disk "${r.name}" is not encrypted`]
          : [true, `disk "${r.name}" is encrypted`],
      undefined,
      ['aws'],
    ),
  },
  {
    id: 'database-unencrypted',
    title: 'Databases are encrypted at rest',
    severity: 'high',
    enforcement: 'hard',
    remediation: 'Set encrypted: true on the database.',
    // Azure and Google Cloud encrypt every database at rest whatever the blueprint says: AWS only.
    check: each(
      ['database'],
      (r) =>
        r.props.encrypted === false
          ? [false, `database "${r.name}" is not encrypted`]
          : [true, `database "${r.name}" is encrypted`],
      undefined,
      ['aws'],
    ),
  },
  {
    id: 'database-public',
    title: 'Databases are not publicly accessible',
    severity: 'critical',
    enforcement: 'hard',
    remediation:
      'Set publiclyAccessible: false and reach the database from inside the network (VPN, bastion, private link).',
    check: each(['database'], (r) =>
      r.props.publiclyAccessible === true
        ? [false, `database "${r.name}" is publicly accessible`]
        : [true, `database "${r.name}" is private`],
    ),
  },
  {
    id: 'ingress-admin-ports-open',
    title: 'SSH and RDP are not open to the internet',
    severity: 'critical',
    enforcement: 'hard',
    remediation: 'Restrict ingress on ports 22 and 3389 to known CIDRs, or use a bastion / session manager.',
    check: each(
      ['security_group'],
      (r) => {
        const rules = r.props.ingress as Ingress[];
        const open = ADMIN_PORTS.filter((port) => rules.some((i) => opens(i, port)));
        return open.length > 0
          ? [false, `security group "${r.name}" opens port ${open.join(' and ')} to 0.0.0.0/0`]
          : [true, `security group "${r.name}" keeps 22/3389 closed to the internet`];
      },
      openFirewalls,
    ),
  },
  {
    id: 'required-tags',
    title: 'Resources carry the required tags',
    severity: 'medium',
    enforcement: 'soft',
    remediation: 'Add the missing keys to the blueprint tags (they apply to every resource).',
    check: (ctx) => {
      const missing = ctx.settings.requiredTags.filter((t) => !(ctx.bp.tags[t] ?? '').trim());
      const message = missing.length > 0 ? `missing required tags: ${missing.join(', ')}` : 'all required tags present';
      return ctx.bp.resources.flatMap((r) =>
        r.instances.map((resource) => ({ resource, passed: missing.length === 0, message })),
      );
    },
  },
  {
    id: 'allowed-regions',
    title: 'The blueprint deploys to an allowed region',
    severity: 'high',
    enforcement: 'hard',
    remediation: 'Change the blueprint region to one of the allowed regions, or ask an admin to allow it.',
    check: ({ bp, settings }) => {
      const ok = settings.allowedRegions.length === 0 || settings.allowedRegions.includes(bp.region);
      return [
        {
          resource: PROVIDER_BLOCK[bp.provider],
          passed: ok,
          message: ok
            ? `region "${bp.region}" is allowed`
            : `region "${bp.region}" is not in ${settings.allowedRegions.join(', ')}`,
        },
      ];
    },
  },
  {
    id: 'allowed-sizes',
    title: 'Only allowed sizes are used',
    severity: 'medium',
    enforcement: 'hard',
    remediation: 'Pick a size from the allowed list, or ask an admin to allow this one.',
    check: each(['vm', 'database', 'cache', 'kubernetes_cluster'], (r, { settings }) => {
      const size = String(r.props[SIZE_PROPS[r.type]!]);
      const ok = settings.allowedSizes.length === 0 || settings.allowedSizes.includes(size);
      return [ok, ok ? `size "${size}" is allowed` : `size "${size}" of ${r.type} "${r.name}" is not allowed`];
    }),
  },
  {
    id: 'budget',
    title: 'The estimated monthly cost is within budget',
    severity: 'high',
    enforcement: 'soft',
    remediation: 'Reduce sizes or counts, or raise the project budget.',
    check: (ctx) => {
      if (ctx.budgetMonthly === undefined) return [];
      let total: number;
      try {
        total = ctx.cost().totalMonthlyCost;
      } catch (err) {
        // No price means no proof of staying within budget: fail, and say why.
        return [
          {
            resource: BLUEPRINT_ADDRESS,
            passed: false,
            message: `cost could not be estimated: ${(err as Error).message}`,
          },
        ];
      }
      const ok = total <= ctx.budgetMonthly;
      return [
        {
          resource: BLUEPRINT_ADDRESS,
          passed: ok,
          message: `estimated ${total.toFixed(2)} USD/month ${ok ? 'within' : 'exceeds'} budget ${ctx.budgetMonthly.toFixed(2)} USD (usage-based components not included)`,
        },
      ];
    },
  },
  {
    id: 'vm-public-ip',
    title: 'VMs have no public IP',
    severity: 'medium',
    enforcement: 'advisory',
    remediation: 'Put the VM behind a load balancer or NAT gateway and set publicIp: false.',
    check: each(
      ['vm'],
      (r) =>
        r.props.publicIp === true
          ? [false, `vm "${r.name}" has a public IP`]
          : [true, `vm "${r.name}" has no public IP`],
      // Azure attaches the address to the network interface.
      (r, i) => [r.instances[i]!.replace(/^azurerm_linux_virtual_machine\./, 'azurerm_network_interface.')],
    ),
  },
  {
    id: 'bucket-versioning',
    title: 'Buckets keep object versions',
    severity: 'low',
    enforcement: 'advisory',
    remediation: 'Set versioning: true to recover from overwrites and deletions.',
    check: each(['bucket'], (r) =>
      r.props.versioning === true
        ? [true, `bucket "${r.name}" is versioned`]
        : [false, `bucket "${r.name}" is not versioned`],
    ),
  },
  {
    id: 'kubernetes-public-endpoint',
    title: 'Kubernetes API endpoints are private',
    severity: 'high',
    enforcement: 'soft',
    remediation: 'Set publicEndpoint: false and reach the API from inside the network (VPN, bastion).',
    check: each(['kubernetes_cluster'], (r) =>
      r.props.publicEndpoint === true
        ? [false, `the API endpoint of cluster "${r.name}" is public`]
        : [true, `the API endpoint of cluster "${r.name}" is private`],
    ),
  },
  {
    id: 'subnet-public-ip-on-launch',
    title: 'Subnets do not give instances public IPs by default',
    severity: 'medium',
    enforcement: 'soft',
    remediation: 'Set autoAssignPublicIp: false; give the VMs that need one publicIp: true.',
    // Only AWS subnets can hand out public IPs: Azure and Google Cloud VMs ask for theirs.
    check: each(
      ['subnet'],
      (r) =>
        r.props.autoAssignPublicIp === true
          ? [false, `subnet "${r.name}" gives every instance a public IP`]
          : [true, `subnet "${r.name}" gives public IPs only on request`],
      undefined,
      ['aws'],
    ),
  },
  {
    id: 'default-security-group-open',
    title: "Networks' default security groups deny all traffic",
    severity: 'medium',
    enforcement: 'soft',
    remediation: 'Set restrictDefaultSecurityGroup: true and give every instance explicit security groups.',
    // Azure NSGs and Google Cloud custom networks have no open default group: AWS only.
    check: each(
      ['network'],
      (r) =>
        r.props.restrictDefaultSecurityGroup === false
          ? [false, `the default security group of network "${r.name}" allows traffic`]
          : [true, `the default security group of network "${r.name}" denies all traffic`],
      undefined,
      ['aws'],
    ),
  },
];
