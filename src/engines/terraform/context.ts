/**
 * Shared helpers of the per-provider Terraform emitters: parameter-aware property values,
 * references between resources (with or without `count`), names, and shared data sources.
 */
import type { PreparedBlueprint, PreparedResource } from '../blueprint.js';
import { BLANK, block, raw, template, type Block, type BodyItem, type HclValue, type Raw } from './hcl.js';

/** Providers a generated configuration may need beyond the cloud's own. */
export type ExtraProvider = 'random' | 'tls';

/** Generation state for one blueprint. */
export interface TfContext {
  bp: PreparedBlueprint;
  /** Blueprint parameter name → Terraform variable name. */
  varNames: Map<string, string>;
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

const WHOLE_REF = /^\$\{param\.([^}]*)\}$/;

/** A property as HCL: parameter references become `var.x` (whole) or template interpolations. */
export function prop(ctx: TfContext, r: PreparedResource, key: string): HclValue | undefined {
  const rawValue = r.raw[key];
  if (typeof rawValue === 'string' && rawValue.includes('${param.')) {
    const whole = WHOLE_REF.exec(rawValue);
    if (whole) return raw(`var.${ctx.varNames.get(whole[1]!)!}`);
    const parts: Array<string | Raw> = [];
    let last = 0;
    for (const m of rawValue.matchAll(/\$\{param\.([^}]*)\}/g)) {
      parts.push(rawValue.slice(last, m.index));
      parts.push(raw(`var.${ctx.varNames.get(m[1]!)!}`));
      last = m.index + m[0].length;
    }
    parts.push(rawValue.slice(last));
    return template(parts.filter((p) => p !== ''));
  }
  return r.props[key] as HclValue | undefined;
}

/** `count = n` plus a blank line when the blueprint resource has a count. */
export function countItems(r: PreparedResource): BodyItem[] {
  return r.count === undefined ? [] : [{ attr: 'count', value: r.count }, BLANK];
}

/** A resource block that mirrors the blueprint resource's count. */
export function resource(type: string, name: string, r: PreparedResource, body: BodyItem[]): Block {
  return block('resource', [type, name], [...countItems(r), ...body]);
}

/** A cloud-side name: the resource name, suffixed with the index under count, cut to `max`. */
export function cloudName(r: PreparedResource, max = 63, suffix = ''): HclValue {
  const base = (r.name + suffix).slice(0, r.count === undefined ? max : Math.max(1, max - 4)).replace(/-+$/, '');
  return r.count === undefined ? base : template([base + '-', raw('count.index')]);
}

/** Address of an auxiliary or primary resource of `r`, indexed by count.index when counted. */
export function own(r: PreparedResource, type: string, name: string, attribute: string): Raw {
  return raw(`${type}.${name}${r.count === undefined ? '' : '[count.index]'}.${attribute}`);
}

/** Reference from resource `from` to the named resource's primary attribute. */
export function ref(ctx: TfContext, from: PreparedResource, targetName: string, attribute: string): Raw {
  const t = ctx.bp.byName.get(targetName)!;
  const addr = `${t.tfType}.${t.name}`;
  if (t.count === undefined) return raw(`${addr}.${attribute}`);
  // Same count pairs instance i with instance i; otherwise everything uses the first instance.
  return raw(`${addr}[${from.count === t.count ? 'count.index' : '0'}].${attribute}`);
}

/** A list expression of the named resources' attribute, splatting counted ones. */
export function refList(ctx: TfContext, names: string[], attribute: string): Raw {
  const parts = names.map((n) => {
    const t = ctx.bp.byName.get(n)!;
    const addr = `${t.tfType}.${t.name}`;
    return t.count === undefined
      ? { list: false, text: `${addr}.${attribute}` }
      : { list: true, text: `${addr}[*].${attribute}` };
  });
  if (parts.length === 1 && parts[0]!.list) return raw(parts[0]!.text);
  if (parts.every((p) => !p.list)) return raw('[' + parts.map((p) => p.text).join(', ') + ']');
  return raw('concat(' + parts.map((p) => (p.list ? p.text : `[${p.text}]`)).join(', ') + ')');
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

/** Subnet CIDR under count: cidrsubnet(cidr, bits, count.index) with enough bits for `count`. */
export function countedCidr(cidr: HclValue, count: number | undefined): HclValue {
  if (count === undefined) return cidr;
  const bits = Math.max(1, Math.ceil(Math.log2(count)));
  const base = typeof cidr === 'string' ? JSON.stringify(cidr) : (cidr as Raw).text;
  return raw(`cidrsubnet(${base}, ${bits}, count.index)`);
}
