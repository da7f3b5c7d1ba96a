/**
 * Blueprint → one CloudFormation `template.yaml` (AWS only). Only resource types and properties
 * of AWS's published resource specification are used (tests check them against it). `count`
 * expands into numbered logical IDs (CloudFormation has no count without a transform).
 */
import { stringify } from 'yaml';
import { prepareBlueprint, type PreparedBlueprint, type PreparedResource } from './blueprint.js';
import { RUNTIME_MAP, resolveImage } from './catalogue-mappings.js';
import { EngineError, pointer } from './errors.js';
import type { GeneratedFile } from './hash.js';
import type { BlueprintSpec } from './types.js';

type Json = unknown;
type Resources = Record<string, { Type: string; Properties: Record<string, Json>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

/** Result of generateCloudFormation. */
export interface CloudFormationResult {
  files: GeneratedFile[];
  resourceCount: number;
}

const MAX_CFN_RESOURCES = 500; // CloudFormation's per-template quota
const ROOT_DEVICE: Record<string, string> = { 'ubuntu-22.04': '/dev/sda1', 'ubuntu-24.04': '/dev/sda1' };
const WHOLE_REF = /^\$\{param\.([^}]*)\}$/;

const pascal = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
const ref = (id: string) => ({ Ref: id });
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const az = (i: number) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });

/** IPv4 cidrsubnet(), as Terraform's function computes it. */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const [ip, len] = cidr.split('/') as [string, string];
  const base = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const prefix = Number(len) + newBits;
  if (prefix > 32) throw new EngineError('invalid_property', `${cidr} is too small to split into ${2 ** newBits} subnets`);
  const addr = (base + index * 2 ** (32 - prefix)) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (addr >>> s) & 255).join('.')}/${prefix}`;
}

class Builder {
  readonly resources: Resources = {};
  readonly parameters: Record<string, Record<string, Json>> = {};
  readonly outputs: Record<string, Json> = {};
  readonly paramIds = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(readonly bp: PreparedBlueprint) {
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
      return { 'Fn::Sub': raw.replace(/\$\{(?!param\.)/g, '${!').replace(/\$\{param\.([^}]*)\}/g, (_m, n: string) => '${' + this.paramIds.get(n)! + '}') };
    }
    return r.props[key];
  }

  add(id: string, Type: string, Properties: Record<string, Json>, extra: Partial<Resources[string]> = {}, tagged = true): void {
    const props = Object.fromEntries(Object.entries(Properties).filter(([, v]) => v !== undefined));
    if (tagged && Object.keys(this.bp.tags).length > 0) props.Tags = Object.keys(this.bp.tags).sort().map((Key) => ({ Key, Value: this.bp.tags[Key] }));
    this.resources[id] = { Type, Properties: props, ...extra };
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
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }] },
      ManagedPolicyArns: policies.map((p) => `arn:aws:iam::aws:policy/${p}`),
    });
  }
}

function parameters(b: Builder): void {
  const schemaProps = ((b.bp.spec.parameters as { properties?: Record<string, { description?: unknown; enum?: unknown[] }> }).properties) ?? {};
  for (const name of Object.keys(b.bp.values).sort()) {
    const id = `Param${pascal(name)}` || 'Param';
    b.paramIds.set(name, id);
    const v = b.bp.values[name];
    const s = schemaProps[name] ?? {};
    const p: Record<string, Json> = typeof v === 'number' ? { Type: 'Number', Default: v }
      : Array.isArray(v) && v.every((e) => typeof e === 'string') ? { Type: 'CommaDelimitedList', Default: v.join(',') }
      : typeof v === 'boolean' ? { Type: 'String', Default: String(v), AllowedValues: ['true', 'false'] }
      : { Type: 'String', Default: typeof v === 'string' ? v : JSON.stringify(v) };
    p.Description = typeof s.description === 'string' ? s.description : `Blueprint parameter "${name}"`;
    if (Array.isArray(s.enum) && s.enum.every((e) => typeof e === 'string' || typeof e === 'number')) p.AllowedValues = s.enum.map(String);
    b.parameters[id] = p;
  }
}

function emit(b: Builder, r: PreparedResource, i: number): void {
  const p = r.props;
  const id = b.id(r, i);
  const at = (k: string) => pointer('resources', r.index, 'properties', k);
  const cidr = () => (r.count === undefined ? b.prop(r, 'cidr') : cidrSubnet(String(p.cidr), Math.max(1, Math.ceil(Math.log2(r.count))), i));
  switch (r.type) {
    case 'network':
      return b.add(id, 'AWS::EC2::VPC', { CidrBlock: cidr(), EnableDnsHostnames: true, EnableDnsSupport: true });
    case 'subnet': {
      b.add(id, 'AWS::EC2::Subnet', { VpcId: b.to(r, i, String(p.network)), CidrBlock: cidr(), AvailabilityZone: az(i % 2), MapPublicIpOnLaunch: b.prop(r, 'public') });
      if (p.public !== true) return;
      const vpc = b.to(r, i, String(p.network)) as { Ref: string };
      const igw = `${vpc.Ref}Igw`;
      if (!b.resources[igw]) {
        b.add(igw, 'AWS::EC2::InternetGateway', {});
        b.add(`${igw}Attachment`, 'AWS::EC2::VPCGatewayAttachment', { VpcId: vpc, InternetGatewayId: ref(igw) }, {}, false);
      }
      b.add(`${id}RouteTable`, 'AWS::EC2::RouteTable', { VpcId: vpc });
      b.add(`${id}DefaultRoute`, 'AWS::EC2::Route', { RouteTableId: ref(`${id}RouteTable`), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref(igw) }, { DependsOn: [`${igw}Attachment`] }, false);
      return b.add(`${id}RouteTableAssociation`, 'AWS::EC2::SubnetRouteTableAssociation', { SubnetId: ref(id), RouteTableId: ref(`${id}RouteTable`) }, {}, false);
    }
    case 'security_group':
      return b.add(id, 'AWS::EC2::SecurityGroup', {
        GroupDescription: b.prop(r, 'description'), VpcId: p.network ? b.to(r, i, String(p.network)) : undefined,
        SecurityGroupIngress: (p.ingress as Array<Record<string, unknown>>).map((g) => ({
          IpProtocol: g.protocol === 'all' ? '-1' : g.protocol, FromPort: g.protocol === 'all' ? -1 : g.fromPort, ToPort: g.protocol === 'all' ? -1 : g.toPort,
          CidrIp: g.cidr, ...(g.description ? { Description: g.description } : {}),
        })),
      });
    case 'vm': {
      const image = resolveImage(String(p.image), 'aws', at('image'));
      let imageId: Json = b.prop(r, 'image');
      if (image.kind === 'ssm') {
        const pid = `Image${pascal(image.alias)}`;
        b.parameters[pid] = { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: image.parameter, Description: `Current ${image.alias} AMI` };
        imageId = ref(pid);
      }
      const groups = p.securityGroups ? b.list(r, p.securityGroups as string[]) : undefined;
      const subnet = p.subnet ? b.to(r, i, String(p.subnet)) : undefined;
      const network = p.publicIp === true
        ? { NetworkInterfaces: [{ DeviceIndex: '0', AssociatePublicIpAddress: true, SubnetId: subnet, GroupSet: groups }] }
        : { SubnetId: subnet, SecurityGroupIds: groups };
      const disk = p.diskGb === undefined ? undefined
        : [{ DeviceName: ROOT_DEVICE[String(p.image)] ?? '/dev/xvda', Ebs: { VolumeSize: b.prop(r, 'diskGb'), VolumeType: 'gp3', Encrypted: true } }];
      return b.add(id, 'AWS::EC2::Instance', { ImageId: imageId, InstanceType: b.prop(r, 'size'), ...network, BlockDeviceMappings: disk });
    }
    case 'disk':
      return b.add(id, 'AWS::EC2::Volume', { AvailabilityZone: az(0), Size: b.prop(r, 'sizeGb'), VolumeType: b.prop(r, 'diskType'), Encrypted: b.prop(r, 'encrypted') });
    case 'bucket': {
      const block = p.public !== true;
      return b.add(id, 'AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: block, BlockPublicPolicy: block, IgnorePublicAcls: block, RestrictPublicBuckets: block },
        BucketEncryption: p.encrypted === true ? { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] } : undefined,
        VersioningConfiguration: p.versioning === true ? { Status: 'Enabled' } : undefined,
      }, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    case 'database': {
      if (p.subnets) b.add(`${id}SubnetGroup`, 'AWS::RDS::DBSubnetGroup', { DBSubnetGroupDescription: `Subnets of ${r.name}`, SubnetIds: b.list(r, p.subnets as string[]) });
      return b.add(id, 'AWS::RDS::DBInstance', {
        Engine: b.prop(r, 'engine'), EngineVersion: b.prop(r, 'engineVersion') ?? (p.engine === 'mysql' ? '8.0' : '16'), DBInstanceClass: b.prop(r, 'size'),
        AllocatedStorage: String(p.storageGb), StorageType: 'gp3', StorageEncrypted: b.prop(r, 'encrypted'), PubliclyAccessible: b.prop(r, 'publiclyAccessible'),
        MultiAZ: b.prop(r, 'multiAz'), MasterUsername: 'dbadmin', ManageMasterUserPassword: true,
        DBSubnetGroupName: p.subnets ? ref(`${id}SubnetGroup`) : undefined,
      }, { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    }
    case 'cache':
      return b.add(id, 'AWS::ElastiCache::ReplicationGroup', {
        ReplicationGroupDescription: `Managed by IAC Dharma: ${r.name}`, Engine: 'redis', CacheNodeType: b.prop(r, 'size'), NumCacheClusters: b.prop(r, 'nodes'),
        AutomaticFailoverEnabled: (p.nodes as number) > 1, AtRestEncryptionEnabled: true, TransitEncryptionEnabled: true, Port: 6379,
      });
    case 'load_balancer':
      return b.add(id, 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: b.prop(r, 'kind'), Scheme: p.public === true ? 'internet-facing' : 'internal', Subnets: b.subnets(r, i) });
    case 'nat_gateway':
      b.add(`${id}Eip`, 'AWS::EC2::EIP', { Domain: 'vpc' });
      return b.add(id, 'AWS::EC2::NatGateway', { AllocationId: { 'Fn::GetAtt': [`${id}Eip`, 'AllocationId'] }, SubnetId: b.to(r, i, String(p.subnet)) });
    case 'kubernetes_cluster': {
      const subnets = b.subnets(r, i);
      b.role(`${id}Role`, 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
      b.add(id, 'AWS::EKS::Cluster', { Version: b.prop(r, 'version'), RoleArn: arn(`${id}Role`), ResourcesVpcConfig: { SubnetIds: subnets } });
      b.role(`${id}NodeRole`, 'ec2.amazonaws.com', ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly']);
      b.add(`${id}Nodes`, 'AWS::EKS::Nodegroup', {
        ClusterName: ref(id), NodeRole: arn(`${id}NodeRole`), Subnets: subnets, InstanceTypes: [b.prop(r, 'nodeSize')],
        ScalingConfig: { DesiredSize: b.prop(r, 'nodeCount'), MinSize: 1, MaxSize: b.prop(r, 'nodeCount') },
        Tags: Object.keys(b.bp.tags).length > 0 ? { ...b.bp.tags } : undefined, // a map here, not a list
      }, {}, false);
      return;
    }
    case 'function':
      b.parameters.FunctionCodeBucket = { Type: 'String', Description: 'S3 bucket holding the functions\' deployment packages (<name>.zip)' };
      b.role(`${id}Role`, 'lambda.amazonaws.com', ['service-role/AWSLambdaBasicExecutionRole']);
      return b.add(id, 'AWS::Lambda::Function', {
        Runtime: RUNTIME_MAP[String(p.runtime)]!.aws, Handler: b.prop(r, 'handler'), MemorySize: b.prop(r, 'memoryMb'), Role: arn(`${id}Role`),
        Code: { S3Bucket: ref('FunctionCodeBucket'), S3Key: `${r.name}.zip` },
      });
    case 'queue':
      return b.add(id, 'AWS::SQS::Queue', { FifoQueue: p.fifo === true ? true : undefined, SqsManagedSseEnabled: true });
  }
}

/** Generates the CloudFormation template of an AWS blueprint with the given parameter values. */
export function generateCloudFormation(spec: BlueprintSpec, params?: Record<string, unknown>): CloudFormationResult {
  return generateCloudFormationPrepared(prepareBlueprint(spec, params));
}

/** generateCloudFormation for an already prepared blueprint. */
export function generateCloudFormationPrepared(bp: PreparedBlueprint): CloudFormationResult {
  if (bp.provider !== 'aws') throw new EngineError('unsupported_provider', `CloudFormation describes AWS only; this blueprint targets ${bp.provider}`, '/provider');
  const b = new Builder(bp);
  parameters(b);
  for (const r of bp.resources) {
    for (let i = 0; i < (r.count ?? 1); i++) {
      emit(b, r, i);
      if (Object.keys(b.resources).length > MAX_CFN_RESOURCES) {
        throw new EngineError('limit_exceeded', `more than ${MAX_CFN_RESOURCES} CloudFormation resources after count expansion`, pointer('resources', r.index, 'count'));
      }
      const id = b.id(r, i);
      b.outputs[`${id}Id`] = { Description: `ID of ${r.type} "${r.name}"${r.count === undefined ? '' : ` [${i}]`}`, Value: ref(id) };
    }
  }
  const template: Record<string, Json> = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${bp.spec.name} (IAC Dharma blueprint${bp.spec.id ? ` ${bp.spec.id}` : ''}${bp.spec.version ? `@${bp.spec.version}` : ''})`,
  };
  if (Object.keys(b.parameters).length > 0) template.Parameters = b.parameters;
  template.Resources = b.resources;
  template.Outputs = b.outputs;
  // YAML 1.1 rules make the writer quote what CloudFormation's 1.1 parser would misread (dates, yes/no, on/off).
  const content = stringify(template, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
  return { files: [{ path: 'template.yaml', content }], resourceCount: Object.keys(b.resources).length };
}
