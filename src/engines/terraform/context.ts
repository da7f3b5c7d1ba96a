/**
 * Shared helpers of the per-provider Terraform emitters: parameter-aware property values (a
 * parameter becomes `var.x`, and only variables something refers to are declared), references
 * between resources with or without `count`, names, zones, CIDRs and shared data sources.
 */
import type { PreparedBlueprint, PreparedResource } from '../blueprint.js';
import { globalNameStem, type NameRule } from '../names.js';
import { pairedIndex, type NatInstance } from '../network-plan.js';
import { parseTemplate } from '../param-ref.js';
import { BLANK, block, raw, template, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';

/** Providers a generated configuration may need beyond the cloud's own. */
export type ExtraProvider = 'random' | 'tls';

/** Generation state for one blueprint. */
export interface TfContext {
  bp: PreparedBlueprint;
  /** Blueprint parameter name → Terraform variable name. */
  varNames: Map<string, string>;
  /** Parameters the output refers to: only these become variables. */
  used: Set<string>;
  extra: Set<ExtraProvider>;
  /** Shared data sources and singletons, keyed by address, emitted once before the resources. */
  shared: Map<string, Block>;
}

const RESERVED = new Set(['source', 'version', 'providers', 'count', 'for_each', 'lifecycle', 'depends_on', 'locals']);

/** Maps parameter names to unique, valid Terraform variable names (deterministically). */
export function variableNames(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const name of [...names].sort()) {
    let v = name.replace(/[^A-Za-z0-9_-]/g, '_');
    if (!/^[A-Za-z_]/.test(v) || RESERVED.has(v)) v = 'p_' + v;
    let candidate = v;
    for (let i = 2; used.has(candidate); i++) candidate = `${v}_${i}`;
    used.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

/** `var.x` for a blueprint parameter, recording that the variable is needed. */
export function variable(ctx: TfContext, param: string): Raw {
  ctx.used.add(param);
  return raw(`var.${ctx.varNames.get(param)!}`);
}

/** A written value as HCL: parameter references become `var.x` (whole) or template interpolations. */
export function written(ctx: TfContext, rawValue: unknown, resolved: unknown): HclValue | undefined {
  if (typeof rawValue !== 'string') return resolved as HclValue | undefined;
  const parsed = parseTemplate(rawValue);
  if (!parsed) return resolved as HclValue | undefined;
  if (parsed.whole !== undefined) return variable(ctx, parsed.whole);
  return template(parsed.parts.map((p) => (typeof p === 'string' ? p : variable(ctx, p.param))));
}

/** A property as HCL (see `written`); `keys` reach into nested values such as ingress rules. */
export function prop(
  ctx: TfContext,
  r: PreparedResource,
  key: string,
  ...keys: Array<string | number>
): HclValue | undefined {
  let rawValue: unknown = r.raw[key];
  let resolved: unknown = r.props[key];
  for (const k of keys) {
    // Inside a whole reference (an array parameter, say) the value is fixed at generation time.
    if (rawValue === null || typeof rawValue !== 'object') rawValue = undefined;
    else rawValue = (rawValue as Record<string | number, unknown>)[k];
    resolved = (resolved as Record<string | number, unknown> | undefined)?.[k];
  }
  return written(ctx, rawValue, resolved);
}

/** `!value` of a boolean property, keeping a variable symbolic. */
export function notProp(ctx: TfContext, r: PreparedResource, key: string): HclValue {
  const v = prop(ctx, r, key);
  return v !== null && typeof v === 'object' && 'text' in v ? raw(`!${(v as Raw).text}`) : !v;
}

/** One of two values chosen by a boolean property, as a conditional when it is a variable. */
export function pick(ctx: TfContext, r: PreparedResource, key: string, yes: HclValue, no: HclValue): HclValue {
  const v = prop(ctx, r, key);
  if (v !== null && typeof v === 'object' && 'text' in v) {
    const q = (x: HclValue) => (typeof x === 'string' ? JSON.stringify(x) : String(x));
    return raw(`${(v as Raw).text} ? ${q(yes)} : ${q(no)}`);
  }
  return v === true ? yes : no;
}

/** The expression of a resource's count: a variable when the blueprint's count is a parameter. */
export function countExpr(ctx: TfContext, r: PreparedResource): HclValue | undefined {
  if (r.count === undefined) return undefined;
  // Networks and subnets are planned at generation time (CIDRs, zones): their count stays literal.
  if (r.countParam !== undefined && r.type !== 'network' && r.type !== 'subnet') return variable(ctx, r.countParam);
  return r.count;
}

const exprText = (v: HclValue | undefined) => (v !== null && typeof v === 'object' ? (v as Raw).text : String(v));

/** A resource block that mirrors the blueprint resource's count. */
export function resource(ctx: TfContext, type: string, name: string, r: PreparedResource, body: BodyItem[]): Block {
  const count = countExpr(ctx, r);
  return block(
    'resource',
    [type, name],
    count === undefined ? body : [{ attr: 'count', value: count }, BLANK, ...body],
  );
}

/** A cloud-side name: the resource name, suffixed with the index under count, cut to `max`. */
export function cloudName(r: PreparedResource, max = 63, suffix = ''): HclValue {
  const base = (r.name + suffix).slice(0, r.count === undefined ? max : Math.max(1, max - 4)).replace(/-+$/, '');
  return r.count === undefined ? base : template([base + '-', raw('count.index')]);
}

/** A globally unique cloud name (names.ts), with the instance index under count. */
export function globalName(ctx: TfContext, r: PreparedResource, rule: NameRule, part = ''): HclValue {
  const counted = r.count !== undefined;
  const stem = globalNameStem(r.name, ctx.bp.nameSuffix, rule, part, counted ? 2 : 0);
  if (!counted) return stem;
  return template(
    [rule.prefix ? stem : `${stem}${rule.alphanumeric ? '' : '-'}`, raw('count.index'), rule.prefix ? '-' : ''].filter(
      (p) => p !== '',
    ),
  );
}

/** Address of an auxiliary or primary resource of `r`, indexed by count.index when counted. */
export function own(r: PreparedResource, type: string, name: string, attribute: string): Raw {
  return raw(`${type}.${name}${r.count === undefined ? '' : '[count.index]'}.${attribute}`);
}

/** The index expression of the instance of `t` that `from` refers to (see network-plan.ts). */
export function pairedIndexExpr(ctx: TfContext, from: PreparedResource, t: PreparedResource): string {
  if (t.count === undefined) return '';
  if (from.count === undefined) return '[0]';
  const fromCount = exprText(countExpr(ctx, from));
  const toCount = exprText(countExpr(ctx, t));
  return fromCount === toCount ? '[count.index]' : `[count.index % ${toCount}]`;
}

/** Reference from resource `from` to the named resource's primary attribute. */
export function ref(ctx: TfContext, from: PreparedResource, targetName: string, attribute: string): Raw {
  const t = ctx.bp.byName.get(targetName)!;
  return raw(`${t.tfType}.${t.name}${pairedIndexExpr(ctx, from, t)}.${attribute}`);
}

/** A list expression from parts that are single values or lists. */
export function listOf(parts: Array<{ list: boolean; text: string }>): Raw {
  if (parts.length === 1 && parts[0]!.list) return raw(parts[0]!.text);
  if (parts.every((p) => !p.list)) return raw('[' + parts.map((p) => p.text).join(', ') + ']');
  return raw('concat(' + parts.map((p) => (p.list ? p.text : `[${p.text}]`)).join(', ') + ')');
}

// The copies of `t` that share a network instance with instance `from` of the referrer: all of
// them unless `t`'s network is counted, then those whose index matches modulo the network count.
function sameNetwork(t: PreparedResource, attribute: string, networkCount: number | undefined, j: string) {
  const addr = `${t.tfType}.${t.name}`;
  if (t.count === undefined) return { list: false, text: `${addr}.${attribute}` };
  if (networkCount === undefined) return { list: true, text: `${addr}[*].${attribute}` };
  return { list: true, text: `[for k, x in ${addr} : x.${attribute} if k % ${networkCount} == ${j}]` };
}

/** The `subnets` of `r` as a list: on a counted network only those of the network instance `r` uses. */
export function subnetList(ctx: TfContext, r: PreparedResource, names: string[], attribute: string): Raw {
  return listOf(
    names.map((n) => {
      const s = ctx.bp.byName.get(n)!;
      const net = ctx.bp.byName.get(s.props.network as string);
      const c = net?.count;
      if (s.count === undefined && c !== undefined) {
        // An uncounted subnet lives in network instance 0.
        const text = `${s.tfType}.${s.name}.${attribute}`;
        return r.count === undefined
          ? { list: false, text }
          : { list: true, text: `count.index % ${c} == 0 ? [${text}] : []` };
      }
      return sameNetwork(s, attribute, c, r.count === undefined ? '0' : `count.index % ${c}`);
    }),
  );
}

/** A VM's security groups as a list: the copies in the network instance of the VM's subnet. */
export function groupList(ctx: TfContext, vm: PreparedResource, names: string[], attribute: string): Raw {
  const subnet = ctx.bp.byName.get(vm.props.subnet as string);
  return listOf(
    names.map((n) => {
      const g = ctx.bp.byName.get(n)!;
      const net = ctx.bp.byName.get(g.props.network as string);
      const c = net?.count;
      if (c === undefined || g.count === undefined) {
        const addr = `${g.tfType}.${g.name}`;
        return g.count === undefined
          ? { list: false, text: `${addr}.${attribute}` }
          : { list: true, text: `${addr}[*].${attribute}` };
      }
      // The VM's network instance: its subnet instance's, i.e. (count.index mod subnet count) mod c.
      const s = subnet?.count === undefined || vm.count === undefined ? '0' : `count.index % ${subnet.count} % ${c}`;
      return sameNetwork(g, attribute, c, s);
    }),
  );
}

/** Registers a shared block (data source, singleton) once; returns its address. */
export function shared(
  ctx: TfContext,
  kind: 'data' | 'resource',
  type: string,
  name: string,
  body: BodyItem[],
): string {
  const key = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
  if (!ctx.shared.has(key)) ctx.shared.set(key, block(kind, [type, name], body));
  return key;
}

/** Blueprint resource's Terraform address for outputs: the whole list under count. */
export function outputValue(r: PreparedResource, attribute: string): Raw {
  return raw(`${r.tfType}.${r.name}${r.count === undefined ? '' : '[*]'}.${attribute}`);
}

/**
 * The CIDR of a network or subnet from the plan: the blueprint's value (a variable if it is a
 * parameter), a cidrsubnet() of it for a counted subnet, or planned literals on a counted network.
 */
export function plannedCidr(ctx: TfContext, r: PreparedResource): HclValue {
  const plan = ctx.bp.plan;
  const netName = r.type === 'network' ? r.name : (r.props.network as string);
  const netBits = plan.networkBits.get(netName) ?? 0;
  if (r.type === 'network') {
    if (netBits === 0) return prop(ctx, r, 'cidr')!;
    return raw(`cidrsubnet(${JSON.stringify(r.props.cidr)}, ${netBits}, count.index)`);
  }
  const instances = plan.subnets.get(r.name)!;
  if (netBits > 0) {
    // A counted network: the subnet's place in every copy is fixed here, from the blueprint's values.
    if (r.count === undefined) return instances[0]!.cidr!;
    return raw(`[${instances.map((i) => JSON.stringify(i.cidr)).join(', ')}][count.index]`);
  }
  const cidr = prop(ctx, r, 'cidr')!;
  const bits = r.count === undefined || r.count === 1 ? 0 : Math.ceil(Math.log2(r.count));
  if (bits === 0) return cidr;
  const base = typeof cidr === 'string' ? JSON.stringify(cidr) : (cidr as Raw).text;
  return raw(`cidrsubnet(${base}, ${bits}, count.index)`);
}

/** The zone index expression of an AWS subnet (network-plan.ts: (ordinal + t) mod zones). */
export function zoneIndex(ctx: TfContext, r: PreparedResource): string {
  const plan = ctx.bp.plan;
  const ordinal = plan.ordinals.get(r.name) ?? 0;
  if (r.count === undefined) return String(ordinal % plan.zones);
  const net = ctx.bp.byName.get(r.props.network as string);
  const t = net?.count === undefined ? 'count.index' : `floor(count.index / ${net.count})`;
  return ordinal === 0 ? `${t} % ${plan.zones}` : `(${ordinal} + ${t}) % ${plan.zones}`;
}

/**
 * An expression that picks, for each instance of `r`, one of the given per-instance targets:
 * a single reference when all are the same, `[count.index]` when instance i uses target i.
 */
export function perInstance(r: PreparedResource, targets: NatInstance[], attribute: string, type: string): Raw {
  const text = (t: NatInstance) =>
    `${type}.${t.nat.name}${t.nat.count === undefined ? '' : `[${t.index}]`}.${attribute}`;
  const first = targets[0]!;
  if (targets.every((t) => t.nat === first.nat && t.index === first.index)) return raw(text(first));
  if (targets.every((t, i) => t.nat === first.nat && t.index === i))
    return raw(`${type}.${first.nat.name}[count.index].${attribute}`);
  return raw(`[${targets.map(text).join(', ')}][count.index]`);
}

export { pairedIndex };
