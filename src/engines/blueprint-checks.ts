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
// this keeps it so if a type ever gains a back reference. Iterative, one visit per resource.
function checkCycles(resources: PreparedResource[], byName: ReadonlyMap<string, PreparedResource>, sink: IssueSink) {
  const done = new Set<PreparedResource>();
  for (const start of resources) {
    if (done.has(start)) continue;
    const path: PreparedResource[] = [];
    const onPath = new Set<PreparedResource>();
    const stack: Array<{ r: PreparedResource; next: string[] }> = [{ r: start, next: targets(start) }];
    path.push(start);
    onPath.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const name = top.next.pop();
      if (name === undefined) {
        stack.pop();
        path.pop();
        onPath.delete(top.r);
        done.add(top.r);
        continue;
      }
      const t = byName.get(name);
      if (!t || t === top.r || done.has(t)) continue;
      if (onPath.has(t)) {
        const loop = [...path.slice(path.indexOf(t)), t].map((x) => x.name).join(' → ');
        sink.add('invalid_reference', `reference cycle: ${loop}`, pointer('resources', t.index, 'name'));
        continue;
      }
      stack.push({ r: t, next: targets(t) });
      path.push(t);
      onPath.add(t);
    }
  }
}

function targets(r: PreparedResource): string[] {
  const out: string[] = [];
  for (const [prop] of REFERENCES) for (const name of referenced(r, prop)) out.push(name);
  return out;
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
const propPath = (r: PreparedResource, prop: string) => pointer('resources', r.index, 'properties', prop);

// A security group is bound to one network on AWS and GCP (Azure NSGs are not).
function checkVmGroups(vm: PreparedResource, byName: ReadonlyMap<string, PreparedResource>, sink: IssueSink): void {
  const home = networkName(vm, byName);
  const groups = referenced(vm, 'securityGroups');
  for (let i = 0; i < groups.length; i++) {
    const sg = byName.get(groups[i]!)!;
    if (sg.unknown.has('network') || networkName(sg, byName) === home) continue;
    sink.add(
      'invalid_reference',
      `security group "${groups[i]}" is in ${label(networkName(sg, byName))}, the vm in ${label(home)}`,
      `${propPath(vm, 'securityGroups')}/${i}`,
    );
  }
}

function checkSubnetsShareNetwork(r: PreparedResource, byName: ReadonlyMap<string, PreparedResource>, sink: IssueSink) {
  const subnets = referenced(r, 'subnets');
  if (subnets.length < 2) return;
  const first = networkName(byName.get(subnets[0]!), byName);
  for (let i = 1; i < subnets.length; i++) {
    const n = networkName(byName.get(subnets[i]!), byName);
    if (n !== first)
      sink.add(
        'invalid_reference',
        `the subnets of a ${r.type} must share one network: "${subnets[i]}" is in ${label(n)}, "${subnets[0]}" in ${label(first)}`,
        `${propPath(r, 'subnets')}/${i}`,
      );
  }
}

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
      const v = r.props[prop];
      if (v === undefined || r.unknown.has(prop)) continue;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) resolved = checkReference(r, prop, i, targetType, byName, sink) && resolved;
      } else resolved = checkReference(r, prop, undefined, targetType, byName, sink) && resolved;
    }
  if (!resolved) return; // the checks below follow references
  checkCycles(resources, byName, sink);
  for (const r of resources) {
    if (r.type === 'vm' && provider !== 'azure' && !r.unknown.has('subnet')) checkVmGroups(r, byName, sink);
    checkSubnetsShareNetwork(r, byName, sink);
  }
}
