/** CloudFormation template assembly: logical IDs, parameters, references, tags. */
import type { PreparedBlueprint, PreparedResource } from './blueprint.js';
import { EngineError } from './errors.js';

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
const WHOLE_REF = /^\$\{param\.([^}]*)\}$/;

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

/** IPv4 cidrsubnet(), as Terraform's function computes it. */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const [ip, len] = cidr.split('/') as [string, string];
  const base = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const prefix = Number(len) + newBits;
  if (prefix > 32)
    throw new EngineError('invalid_property', `${cidr} is too small to split into ${2 ** newBits} subnets`);
  const addr = (base + index * 2 ** (32 - prefix)) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (addr >>> s) & 255).join('.')}/${prefix}`;
}

/** Accumulates one template's parameters, resources and outputs. */
export class Builder {
  readonly resources: Resources = {};
  readonly parameters: Record<string, Record<string, Json>> = {};
  readonly outputs: Record<string, Json> = {};
  readonly paramIds = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly tagKeys: string[];
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

  /** Reference from instance i of `from` to the named resource (same index under equal counts). */
  to(from: PreparedResource, i: number, name: string, attr?: string): Json {
    const t = this.bp.byName.get(name)!;
    const id = this.id(t, t.count !== undefined && t.count === from.count ? i : 0);
    return attr ? { 'Fn::GetAtt': [id, attr] } : ref(id);
  }

  list(from: PreparedResource, names: string[]): Json[] {
    return names.flatMap((n) => {
      const t = this.bp.byName.get(n)!;
      return Array.from({ length: t.count ?? 1 }, (_, k) => ref(this.id(t, k)));
    });
  }

  /** A property, keeping whole parameter references as Ref and embedded ones as Fn::Sub. */
  prop(r: PreparedResource, key: string): Json {
    const raw = r.raw[key];
    if (typeof raw === 'string' && raw.includes('${param.')) {
      const whole = WHOLE_REF.exec(raw);
      if (whole) return ref(this.paramIds.get(whole[1]!)!);
      return {
        'Fn::Sub': raw
          .replace(/\$\{(?!param\.)/g, '${!')
          .replace(/\$\{param\.([^}]*)\}/g, (_m, n: string) => '${' + this.paramIds.get(n)! + '}'),
      };
    }
    return r.props[key];
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
    if (tagged && this.tagKeys.length > 0) {
      const tags = this.bp.tags;
      props.Tags = this.tagKeys.map((Key) => ({ Key, Value: tags[Key] }));
    }
    if (!Object.prototype.hasOwnProperty.call(this.resources, id)) this.resourceCount++;
    this.resources[id] = extra ? { Type, Properties: props, ...extra } : { Type, Properties: props };
  }

  subnets(r: PreparedResource, i: number): Json {
    const names = r.props.subnets as string[] | undefined;
    if (names && names.length > 0) return this.list(r, names);
    // Without subnets in the blueprint, the stack asks for them at deploy time.
    const pid = `${this.ids.get(r.name)!}SubnetIds`;
    this.parameters[pid] = { Type: 'List<AWS::EC2::Subnet::Id>', Description: `Subnets for ${r.type} "${r.name}"` };
    void i;
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

/** Declares the blueprint parameters as template Parameters (ParamXxx). */
export function parameters(b: Builder): void {
  const schemaProps =
    (b.bp.spec.parameters as { properties?: Record<string, { description?: unknown; enum?: unknown[] }> }).properties ??
    {};
  for (const name of Object.keys(b.bp.values).sort()) {
    let id = `Param${pascal(name)}`;
    while (Object.prototype.hasOwnProperty.call(b.parameters, id)) id += 'X'; // 'a_b' and 'aB' both fold to ParamAB
    b.paramIds.set(name, id);
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
