/** CloudFormation template assembly: logical IDs, parameters, references, tags. */
import type { PreparedBlueprint, PreparedResource } from './blueprint.js';
import { pairedIndex, subnetInstancesFor } from './network-plan.js';
import { parseTemplate } from './param-ref.js';

/** Any JSON value of a template. */
export type Json = unknown;
/** The Resources section. */
export type Resources = Record<
  string,
  {
    Type: string;
    Properties: Record<string, Json>;
    DependsOn?: string[];
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  }
>;

/** Root device name of AMIs whose root is not /dev/xvda. */
export const ROOT_DEVICE: Record<string, string> = { 'ubuntu-22.04': '/dev/sda1', 'ubuntu-24.04': '/dev/sda1' };

/** PascalCase of a blueprint name: CloudFormation logical IDs are alphanumeric. */
export const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
/** { Ref: id }. */
export const ref = (id: string) => ({ Ref: id });
/** Fn::GetAtt id.Arn. */
export const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** The i-th availability zone of the stack's region. */
export const az = (i: number) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });

/** Accumulates one template's parameters, resources and outputs. */
export class Builder {
  readonly resources: Resources = {};
  readonly parameters: Record<string, Record<string, Json>> = {};
  readonly outputs: Record<string, Json> = {};
  /** Blueprint parameter → template parameter ID, for the parameters the template refers to. */
  readonly paramIds = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly tagKeys: string[];
  private tagList: Json[] | undefined;
  /** Number of entries of `resources`. */
  resourceCount = 0;

  constructor(readonly bp: PreparedBlueprint) {
    this.tagKeys = Object.keys(bp.tags).sort();
    for (const r of bp.resources) {
      let id = pascal(r.name);
      if (this.taken.has(id)) id = `${id}R${r.index}`;
      this.taken.add(id);
      this.ids.set(r.name, id);
    }
  }

  /** Logical ID of instance i of a blueprint resource. */
  id(r: PreparedResource, i: number, suffix = ''): string {
    return this.ids.get(r.name)! + (r.count === undefined ? '' : String(i)) + suffix;
  }

  /** Reference from instance i of `from` to the named resource (network-plan.ts pairing). */
  to(from: PreparedResource, i: number, name: string, attr?: string): Json {
    const t = this.bp.byName.get(name)!;
    const id = this.id(t, pairedIndex(from, i, t));
    return attr ? { 'Fn::GetAtt': [id, attr] } : ref(id);
  }

  /** The subnets instance i of `r` uses: those of one network instance. */
  subnetRefs(r: PreparedResource, i: number): Json[] {
    return subnetInstancesFor(this.bp.plan, r, i, this.bp.byName).map((s) => ref(this.id(s.subnet, s.index)));
  }

  /** A VM's security groups: the copies in its subnet's network instance. */
  groupRefs(vm: PreparedResource, i: number, names: string[]): Json[] {
    const subnet = this.bp.byName.get(vm.props.subnet as string);
    const k = subnet ? pairedIndex(vm, i, subnet) : 0;
    return names.flatMap((n) => {
      const g = this.bp.byName.get(n)!;
      const net = this.bp.byName.get(g.props.network as string);
      const j = net?.count === undefined || subnet?.count === undefined ? 0 : k % net.count;
      return Array.from({ length: g.count ?? 1 }, (_, m) => m)
        .filter((m) => net?.count === undefined || g.count === undefined || m % net.count === j)
        .map((m) => ref(this.id(g, m)));
    });
  }

  /** The template parameter of a blueprint parameter (declared on first use). */
  param(name: string): string {
    let id = this.paramIds.get(name);
    if (id === undefined) {
      id = `Param${pascal(name)}`;
      const used = new Set(this.paramIds.values());
      while (used.has(id)) id += 'X'; // 'a_b' and 'aB' both fold to ParamAB
      this.paramIds.set(name, id);
    }
    return id;
  }

  /** A written value: whole parameter references as Ref, embedded ones as Fn::Sub. */
  written(rawValue: unknown, resolved: unknown): Json {
    if (typeof rawValue !== 'string') return resolved;
    const parsed = parseTemplate(rawValue);
    if (!parsed) return resolved;
    if (parsed.whole !== undefined) return ref(this.param(parsed.whole));
    return {
      'Fn::Sub': parsed.parts
        .map((p) => (typeof p === 'string' ? p.replace(/\$\{/g, '${!') : '${' + this.param(p.param) + '}'))
        .join(''),
    };
  }

  /** A property, keeping parameter references (see `written`). */
  prop(r: PreparedResource, key: string): Json {
    return this.written(r.raw[key], r.props[key]);
  }

  add(
    id: string,
    Type: string,
    Properties: Record<string, Json>,
    extra?: Partial<Resources[string]>,
    tagged = true,
  ): void {
    // Properties is a fresh literal of the caller: Tags go on it directly. Undefined values stay
    // (the YAML writer drops them, as the yaml library does).
    const props = Properties;
    if (tagged && this.tagKeys.length > 0) props.Tags = this.tags();
    if (!Object.prototype.hasOwnProperty.call(this.resources, id)) this.resourceCount++;
    this.resources[id] = extra ? { Type, Properties: props, ...extra } : { Type, Properties: props };
  }

  /** The blueprint tags as a Tags list (built once: every tagged resource shares it). */
  tags(): Json[] {
    const given = this.bp.spec.tags ?? {};
    this.tagList ??= this.tagKeys.map((Key) => ({ Key, Value: this.written(given[Key], this.bp.tags[Key]) }));
    return this.tagList;
  }

  /** Subnets of a load balancer or cluster: the blueprint's, or a parameter asked at deploy time. */
  subnets(r: PreparedResource, i: number): Json {
    const names = r.props.subnets as string[] | undefined;
    if (names && names.length > 0) return this.subnetRefs(r, i);
    const pid = `${this.ids.get(r.name)!}SubnetIds`;
    this.parameters[pid] = { Type: 'List<AWS::EC2::Subnet::Id>', Description: `Subnets for ${r.type} "${r.name}"` };
    return ref(pid);
  }

  role(id: string, service: string, policies: string[]): void {
    this.add(id, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }],
      },
      ManagedPolicyArns: policies.map((p) => `arn:aws:iam::aws:policy/${p}`),
    });
  }
}

/** Declares the blueprint parameters the template refers to as template Parameters (ParamXxx). */
export function parameters(b: Builder): void {
  const schemaProps =
    (b.bp.spec.parameters as { properties?: Record<string, { description?: unknown; enum?: unknown[] }> }).properties ??
    {};
  for (const name of [...b.paramIds.keys()].sort()) {
    const id = b.paramIds.get(name)!;
    const v = b.bp.values[name];
    const s = schemaProps[name] ?? {};
    const p: Record<string, Json> =
      typeof v === 'number'
        ? { Type: 'Number', Default: v }
        : Array.isArray(v) && v.every((e) => typeof e === 'string')
          ? { Type: 'CommaDelimitedList', Default: v.join(',') }
          : typeof v === 'boolean'
            ? { Type: 'String', Default: String(v), AllowedValues: ['true', 'false'] }
            : { Type: 'String', Default: typeof v === 'string' ? v : JSON.stringify(v) };
    p.Description = typeof s.description === 'string' ? s.description : `Blueprint parameter "${name}"`;
    if (Array.isArray(s.enum) && s.enum.every((e) => typeof e === 'string' || typeof e === 'number'))
      p.AllowedValues = s.enum.map(String);
    b.parameters[id] = p;
  }
}
