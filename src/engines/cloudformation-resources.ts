/** CloudFormation resources per catalogue type (AWS resource specification names only). */
import type { PreparedResource } from './blueprint.js';
import { RUNTIME_MAP, resolveImage } from './catalogue-mappings.js';
import { pointer } from './errors.js';
import { providerEngineVersion } from './provider-rules.js';
import { arn, az, Builder, pascal, ref, ROOT_DEVICE, type Json } from './cloudformation-builder.js';

// CIDR of instance i from the network plan; an uncounted network or subnet keeps its parameter.
function cidrOf(b: Builder, r: PreparedResource, i: number): Json {
  const plan = b.bp.plan;
  if (r.type === 'network')
    return r.count === undefined || plan.networkBits.get(r.name) === 0
      ? b.prop(r, 'cidr')
      : plan.networks.get(r.name)![i];
  const net = r.props.network as string;
  if (r.count === undefined && (plan.networkBits.get(net) ?? 0) === 0) return b.prop(r, 'cidr');
  return plan.subnets.get(r.name)![i]!.cidr;
}

// The route table of subnet instance i: to the internet gateway when public, through its NAT when private.
function routing(b: Builder, r: PreparedResource, i: number, id: string): void {
  const vpc = b.to(r, i, String(r.props.network)) as { Ref: string };
  let target: Record<string, Json>;
  let dependsOn: string[] | undefined;
  if (r.props.public === true) {
    const igw = `${vpc.Ref}Igw`;
    if (!b.resources[igw]) {
      b.add(igw, 'AWS::EC2::InternetGateway', {});
      b.add(
        `${igw}Attachment`,
        'AWS::EC2::VPCGatewayAttachment',
        { VpcId: vpc, InternetGatewayId: ref(igw) },
        {},
        false,
      );
    }
    target = { GatewayId: ref(igw) };
    dependsOn = [`${igw}Attachment`];
  } else {
    const nat = b.bp.plan.subnets.get(r.name)![i]!.nat;
    if (!nat) return; // no NAT in its network: local routes only
    target = { NatGatewayId: ref(b.id(nat.nat, nat.index)) };
  }
  b.add(`${id}RouteTable`, 'AWS::EC2::RouteTable', { VpcId: vpc });
  b.add(
    `${id}DefaultRoute`,
    'AWS::EC2::Route',
    { RouteTableId: ref(`${id}RouteTable`), DestinationCidrBlock: '0.0.0.0/0', ...target },
    dependsOn ? { DependsOn: dependsOn } : {},
    false,
  );
  b.add(
    `${id}RouteTableAssociation`,
    'AWS::EC2::SubnetRouteTableAssociation',
    { SubnetId: ref(id), RouteTableId: ref(`${id}RouteTable`) },
    {},
    false,
  );
}

function vm(b: Builder, r: PreparedResource, i: number, id: string): void {
  const p = r.props;
  const image = resolveImage(String(p.image), 'aws', pointer('resources', r.index, 'properties', 'image'));
  let imageId: Json = b.prop(r, 'image');
  if (image.kind === 'ssm') {
    const pid = `Image${pascal(image.alias)}`;
    b.parameters[pid] = {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: image.parameter,
      Description: `Current ${image.alias} AMI`,
    };
    imageId = ref(pid);
  }
  // Always one explicit interface: whether it gets a public IP never depends on the subnet's default.
  const nic: Record<string, Json> = { DeviceIndex: '0', AssociatePublicIpAddress: b.prop(r, 'publicIp') };
  if (p.subnet) nic.SubnetId = b.to(r, i, String(p.subnet));
  if (p.securityGroups) nic.GroupSet = b.groupRefs(r, i, p.securityGroups as string[]);
  b.add(id, 'AWS::EC2::Instance', {
    ImageId: imageId,
    InstanceType: b.prop(r, 'size'),
    NetworkInterfaces: [nic],
    BlockDeviceMappings: [
      {
        DeviceName: ROOT_DEVICE[String(p.image)] ?? '/dev/xvda',
        Ebs: { VolumeSize: b.prop(r, 'diskGb'), VolumeType: 'gp3', Encrypted: true },
      },
    ],
  });
}

function cluster(b: Builder, r: PreparedResource, i: number, id: string): void {
  const subnets = b.subnets(r, i);
  b.role(`${id}Role`, 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
  b.add(id, 'AWS::EKS::Cluster', {
    Version: b.prop(r, 'version'),
    RoleArn: arn(`${id}Role`),
    ResourcesVpcConfig: {
      SubnetIds: subnets,
      EndpointPrivateAccess: true,
      EndpointPublicAccess: b.prop(r, 'publicEndpoint'),
    },
  });
  b.role(`${id}NodeRole`, 'ec2.amazonaws.com', [
    'AmazonEKSWorkerNodePolicy',
    'AmazonEKS_CNI_Policy',
    'AmazonEC2ContainerRegistryReadOnly',
  ]);
  const tags = b.tags() as Array<{ Key: string; Value: Json }>;
  b.add(
    `${id}Nodes`,
    'AWS::EKS::Nodegroup',
    {
      ClusterName: ref(id),
      NodeRole: arn(`${id}NodeRole`),
      Subnets: subnets,
      InstanceTypes: [b.prop(r, 'nodeSize')],
      DiskSize: b.prop(r, 'nodeDiskGb'),
      ScalingConfig: { DesiredSize: b.prop(r, 'nodeCount'), MinSize: 1, MaxSize: b.prop(r, 'nodeCount') },
      Tags: tags.length > 0 ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : undefined, // a map here
    },
    {},
    false,
  );
}

/** Adds the CloudFormation resources of instance `i` of blueprint resource `r`. */
export function emit(b: Builder, r: PreparedResource, i: number): void {
  const p = r.props;
  const id = b.id(r, i);
  switch (r.type) {
    case 'network':
      // CloudFormation cannot empty a VPC's default security group (no resource type manages it).
      return b.add(id, 'AWS::EC2::VPC', {
        CidrBlock: cidrOf(b, r, i),
        EnableDnsHostnames: true,
        EnableDnsSupport: true,
      });
    case 'subnet': {
      b.add(id, 'AWS::EC2::Subnet', {
        VpcId: b.to(r, i, String(p.network)),
        CidrBlock: cidrOf(b, r, i),
        AvailabilityZone: az(b.bp.plan.subnets.get(r.name)![i]!.zone),
        MapPublicIpOnLaunch: b.prop(r, 'autoAssignPublicIp'),
      });
      return routing(b, r, i, id);
    }
    case 'security_group':
      return b.add(id, 'AWS::EC2::SecurityGroup', {
        GroupDescription: b.prop(r, 'description'),
        VpcId: p.network ? b.to(r, i, String(p.network)) : undefined,
        SecurityGroupIngress: (p.ingress as Array<Record<string, unknown>>).map((g) => ({
          IpProtocol: g.protocol === 'all' ? '-1' : g.protocol,
          // "-1" means every protocol and port: ports are left out rather than written as -1.
          ...(g.protocol === 'all' ? {} : { FromPort: g.fromPort, ToPort: g.toPort }),
          CidrIp: g.cidr,
          ...(g.description ? { Description: g.description } : {}),
        })),
      });
    case 'vm':
      return vm(b, r, i, id);
    case 'disk':
      return b.add(id, 'AWS::EC2::Volume', {
        AvailabilityZone: az(r.count === undefined ? 0 : i % b.bp.plan.zones),
        Size: b.prop(r, 'sizeGb'),
        VolumeType: b.prop(r, 'diskType'),
        Encrypted: b.prop(r, 'encrypted'),
      });
    case 'bucket': {
      const block = p.public !== true;
      // No BucketName: CloudFormation derives a globally unique one from the stack.
      return b.add(
        id,
        'AWS::S3::Bucket',
        {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: block,
            BlockPublicPolicy: block,
            IgnorePublicAcls: block,
            RestrictPublicBuckets: block,
          },
          BucketEncryption:
            p.encrypted === true
              ? {
                  ServerSideEncryptionConfiguration: [
                    { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
                  ],
                }
              : undefined,
          VersioningConfiguration: p.versioning === true ? { Status: 'Enabled' } : undefined,
        },
        { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
      );
    }
    case 'database': {
      const subnets = p.subnets as string[] | undefined;
      if (subnets && subnets.length > 0)
        b.add(`${id}SubnetGroup`, 'AWS::RDS::DBSubnetGroup', {
          DBSubnetGroupDescription: `Subnets of ${r.name}`,
          SubnetIds: b.subnetRefs(r, i),
        });
      return b.add(
        id,
        'AWS::RDS::DBInstance',
        {
          Engine: b.prop(r, 'engine'),
          EngineVersion: b.prop(r, 'engineVersion') ?? providerEngineVersion('aws', String(p.engine), undefined),
          DBInstanceClass: b.prop(r, 'size'),
          AllocatedStorage: typeof b.prop(r, 'storageGb') === 'number' ? String(p.storageGb) : b.prop(r, 'storageGb'),
          StorageType: 'gp3',
          StorageEncrypted: b.prop(r, 'encrypted'),
          PubliclyAccessible: b.prop(r, 'publiclyAccessible'),
          MultiAZ: b.prop(r, 'multiAz'),
          MasterUsername: 'dbadmin',
          ManageMasterUserPassword: true,
          DBSubnetGroupName: subnets && subnets.length > 0 ? ref(`${id}SubnetGroup`) : undefined,
        },
        { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' },
      );
    }
    case 'cache':
      return b.add(id, 'AWS::ElastiCache::ReplicationGroup', {
        ReplicationGroupDescription: `Managed by IAC Dharma: ${r.name}`,
        Engine: 'redis',
        CacheNodeType: b.prop(r, 'size'),
        NumCacheClusters: b.prop(r, 'nodes'),
        AutomaticFailoverEnabled: (p.nodes as number) > 1,
        AtRestEncryptionEnabled: true,
        TransitEncryptionEnabled: true,
        Port: 6379,
      });
    case 'load_balancer':
      return b.add(id, 'AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Type: b.prop(r, 'kind'),
        Scheme: p.public === true ? 'internet-facing' : 'internal',
        Subnets: b.subnets(r, i),
      });
    case 'nat_gateway':
      b.add(`${id}Eip`, 'AWS::EC2::EIP', { Domain: 'vpc' });
      return b.add(id, 'AWS::EC2::NatGateway', {
        AllocationId: { 'Fn::GetAtt': [`${id}Eip`, 'AllocationId'] },
        SubnetId: b.to(r, i, String(p.subnet)),
      });
    case 'kubernetes_cluster':
      return cluster(b, r, i, id);
    case 'function':
      b.parameters.FunctionCodeBucket = {
        Type: 'String',
        Description: "S3 bucket holding the functions' deployment packages (<name>.zip)",
      };
      b.role(`${id}Role`, 'lambda.amazonaws.com', ['service-role/AWSLambdaBasicExecutionRole']);
      return b.add(id, 'AWS::Lambda::Function', {
        Runtime: RUNTIME_MAP[String(p.runtime)]!.aws,
        Handler: b.prop(r, 'handler'),
        MemorySize: b.prop(r, 'memoryMb'),
        Role: arn(`${id}Role`),
        Code: { S3Bucket: ref('FunctionCodeBucket'), S3Key: `${r.name}.zip` },
      });
    case 'queue':
      return b.add(id, 'AWS::SQS::Queue', {
        FifoQueue: p.fifo === true ? true : undefined,
        SqsManagedSseEnabled: true,
      });
  }
}
