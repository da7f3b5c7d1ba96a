/**
 * Checks between resources: references resolve to a resource of the right type, nothing refers
 * to itself or forms a cycle, and resources that must share a network do (a VM and its security
 * groups, the subnets of one load balancer, database or cluster).
 */
import type { PreparedResource } from './blueprint.js';
import { REFERENCE_PROPERTIES } from './catalogue.js';
import { pointer, type IssueSink } from './errors.js';
import type { Provider } from './types.js';

const REFERENCES = Object.entries(REFERENCE_PROPERTIES);

/** The names a resource refers to through `prop` (empty when unset or not known yet). */
export function referenced(r: PreparedResource, prop: string): string[] {
  const v = r.props[prop];
  if (v === undefined || r.unknown.has(prop)) return [];
  return Array.isArray(v) ? (v as string[]) : [v as string];
}

// Reports a reference that does not resolve; true when it does.
function checkReference(
  r: PreparedResource,
  prop: string,
  i: number | undefined,
  targetType: string,
  byName: ReadonlyMap<string, PreparedResource>,
  sink: IssueSink,
): boolean {
  const name = (i === undefined ? r.props[prop] : (r.props[prop] as string[])[i]) as string;
  const target = byName.get(name);
  if (target && target.type === targetType && target !== r) return true;
  const path = pointer('resources', r.index, 'properties', prop) + (i === undefined ? '' : `/${i}`);
  if (!target) sink.add('invalid_reference', `${prop} "${name}" names no resource of this blueprint`, path);
  else if (target === r) sink.add('invalid_reference', `${prop} refers to the resource itself`, path);
  else sink.add('invalid_reference', `${prop} "${name}" is a ${target.type}, expected a ${targetType}`, path);
  return false;
}

// Depth-first search over the references; the catalogue's types make a cycle impossible today,
// this keeps it so if a type ever gains a back reference.
function checkCycles(resources: PreparedResource[], byName: ReadonlyMap<string, PreparedResource>, sink: IssueSink) {
  const state = new Map<PreparedResource, 'open' | 'done'>();
  const visit = (r: PreparedResource, trail: PreparedResource[]): void => {
    if (state.get(r) === 'done') return;
    if (state.get(r) === 'open') {
      const loop = [...trail.slice(trail.indexOf(r)), r].map((x) => x.name).join(' → ');
      sink.add('invalid_reference', `reference cycle: ${loop}`, pointer('resources', r.index, 'name'));
      return;
    }
    state.set(r, 'open');
    for (const [prop] of REFERENCES)
      for (const name of referenced(r, prop)) {
        const t = byName.get(name);
        if (t && t !== r) visit(t, [...trail, r]);
      }
    state.set(r, 'done');
  };
  for (const r of resources) visit(r, []);
}

/** The network a resource lives in: its own (security group), its subnet's, or '' for the default one. */
export function networkName(r: PreparedResource | undefined, byName: ReadonlyMap<string, PreparedResource>): string {
  if (!r) return '';
  if (r.type === 'network') return r.name;
  if (r.type === 'subnet' || r.type === 'security_group') return (r.props.network as string | undefined) ?? '';
  const subnet = byName.get(r.props.subnet as string);
  return subnet ? ((subnet.props.network as string | undefined) ?? '') : '';
}

const label = (n: string) => (n === '' ? "the provider's default network" : `network "${n}"`);

/** Reports unresolved, self and cyclic references, and resources that must share a network but do not. */
export function checkCrossReferences(
  provider: Provider,
  resources: PreparedResource[],
  byName: ReadonlyMap<string, PreparedResource>,
  sink: IssueSink,
): void {
  let resolved = true;
  for (const r of resources)
    for (const [prop, targetType] of REFERENCES) {
      if (r.props[prop] === undefined || r.unknown.has(prop)) continue;
      if (Array.isArray(r.props[prop]))
        (r.props[prop] as string[]).forEach((_, i) => {
          resolved = checkReference(r, prop, i, targetType, byName, sink) && resolved;
        });
      else resolved = checkReference(r, prop, undefined, targetType, byName, sink) && resolved;
    }
  if (!resolved) return; // the checks below follow references
  checkCycles(resources, byName, sink);
  for (const r of resources) {
    const at = (prop: string) => pointer('resources', r.index, 'properties', prop);
    // A security group is bound to one network on AWS and GCP (Azure NSGs are not).
    if (r.type === 'vm' && provider !== 'azure' && !r.unknown.has('subnet')) {
      const home = networkName(r, byName);
      referenced(r, 'securityGroups').forEach((g, i) => {
        const sg = byName.get(g)!;
        if (sg.unknown.has('network') || networkName(sg, byName) === home) return;
        sink.add(
          'invalid_reference',
          `security group "${g}" is in ${label(networkName(sg, byName))}, the vm in ${label(home)}`,
          `${at('securityGroups')}/${i}`,
        );
      });
    }
    const subnets = referenced(r, 'subnets');
    if (subnets.length > 1) {
      const first = networkName(byName.get(subnets[0]!), byName);
      subnets.forEach((s, i) => {
        const n = networkName(byName.get(s), byName);
        if (n !== first)
          sink.add(
            'invalid_reference',
            `the subnets of a ${r.type} must share one network: "${s}" is in ${label(n)}, "${subnets[0]}" in ${label(first)}`,
            `${at('subnets')}/${i}`,
          );
      });
    }
  }
}
