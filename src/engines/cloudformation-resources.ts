/** CloudFormation resources per catalogue type (AWS resource specification names only). */
import type { PreparedResource } from './blueprint.js';
import { RUNTIME_MAP, resolveImage } from './catalogue-mappings.js';
import { pointer } from './errors.js';
import { arn, az, Builder, cidrSubnet, pascal, ref, ROOT_DEVICE, type Json } from './cloudformation-builder.js';

// CIDR of instance i: the blueprint's, or its i-th slice under count. (Helpers are module-level
// rather than closures: emit runs per instance and closures cost an allocation each.)
function cidrOf(b: Builder, r: PreparedResource, i: number): Json {
  return r.count === undefined
    ? b.prop(r, 'cidr')
    : cidrSubnet(String(r.props.cidr), Math.max(1, Math.ceil(Math.log2(r.count))), i);
}

/** Adds the CloudFormation resources of instance `i` of blueprint resource `r`. */
export function emit(b: Builder, r: PreparedResource, i: number): void {
  const p = r.props;
  const id = b.id(r, i);
  switch (r.type) {
    case 'network':
      return b.add(id, 'AWS::EC2::VPC', {
        CidrBlock: cidrOf(b, r, i),
        EnableDnsHostnames: true,
        EnableDnsSupport: true,
      });
    case 'subnet': {
      b.add(id, 'AWS::EC2::Subnet', {
        VpcId: b.to(r, i, String(p.network)),
        CidrBlock: cidrOf(b, r, i),
        AvailabilityZone: az(i % 2),
        MapPublicIpOnLaunch: b.prop(r, 'public'),
      });
      if (p.public !== true) return;
      const vpc = b.to(r, i, String(p.network)) as { Ref: string };
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
      b.add(`${id}RouteTable`, 'AWS::EC2::RouteTable', { VpcId: vpc });
      b.add(
        `${id}DefaultRoute`,
        'AWS::EC2::Route',
        { RouteTableId: ref(`${id}RouteTable`), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref(igw) },
        { DependsOn: [`${igw}Attachment`] },
        false,
      );
      return b.add(
        `${id}RouteTableAssociation`,
        'AWS::EC2::SubnetRouteTableAssociation',
        { SubnetId: ref(id), RouteTableId: ref(`${id}RouteTable`) },
        {},
        false,
      );
    }
    case 'security_group':
      return b.add(id, 'AWS::EC2::SecurityGroup', {
        GroupDescription: b.prop(r, 'description'),
        VpcId: p.network ? b.to(r, i, String(p.network)) : undefined,
        SecurityGroupIngress: (p.ingress as Array<Record<string, unknown>>).map((g) => ({
          IpProtocol: g.protocol === 'all' ? '-1' : g.protocol,
          FromPort: g.protocol === 'all' ? -1 : g.fromPort,
          ToPort: g.protocol === 'all' ? -1 : g.toPort,
          CidrIp: g.cidr,
          ...(g.description ? { Description: g.description } : {}),
        })),
      });
    case 'vm': {
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
      const groups = p.securityGroups ? b.list(r, p.securityGroups as string[]) : undefined;
      const subnet = p.subnet ? b.to(r, i, String(p.subnet)) : undefined;
      const network =
        p.publicIp === true
          ? {
              NetworkInterfaces: [
                { DeviceIndex: '0', AssociatePublicIpAddress: true, SubnetId: subnet, GroupSet: groups },
              ],
            }
          : { SubnetId: subnet, SecurityGroupIds: groups };
      const disk =
        p.diskGb === undefined
          ? undefined
          : [
              {
                DeviceName: ROOT_DEVICE[String(p.image)] ?? '/dev/xvda',
                Ebs: { VolumeSize: b.prop(r, 'diskGb'), VolumeType: 'gp3', Encrypted: true },
              },
            ];
      return b.add(id, 'AWS::EC2::Instance', {
        ImageId: imageId,
        InstanceType: b.prop(r, 'size'),
        ...network,
        BlockDeviceMappings: disk,
      });
    }
    case 'disk':
      return b.add(id, 'AWS::EC2::Volume', {
        AvailabilityZone: az(0),
        Size: b.prop(r, 'sizeGb'),
        VolumeType: b.prop(r, 'diskType'),
        Encrypted: b.prop(r, 'encrypted'),
      });
    case 'bucket': {
      const block = p.public !== true;
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
      if (p.subnets)
        b.add(`${id}SubnetGroup`, 'AWS::RDS::DBSubnetGroup', {
          DBSubnetGroupDescription: `Subnets of ${r.name}`,
          SubnetIds: b.list(r, p.subnets as string[]),
        });
      return b.add(
        id,
        'AWS::RDS::DBInstance',
        {
          Engine: b.prop(r, 'engine'),
          EngineVersion: b.prop(r, 'engineVersion') ?? (p.engine === 'mysql' ? '8.0' : '16'),
          DBInstanceClass: b.prop(r, 'size'),
          AllocatedStorage: String(p.storageGb),
          StorageType: 'gp3',
          StorageEncrypted: b.prop(r, 'encrypted'),
          PubliclyAccessible: b.prop(r, 'publiclyAccessible'),
          MultiAZ: b.prop(r, 'multiAz'),
          MasterUsername: 'dbadmin',
          ManageMasterUserPassword: true,
          DBSubnetGroupName: p.subnets ? ref(`${id}SubnetGroup`) : undefined,
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
    case 'kubernetes_cluster': {
      const subnets = b.subnets(r, i);
      b.role(`${id}Role`, 'eks.amazonaws.com', ['AmazonEKSClusterPolicy']);
      b.add(id, 'AWS::EKS::Cluster', {
        Version: b.prop(r, 'version'),
        RoleArn: arn(`${id}Role`),
        ResourcesVpcConfig: { SubnetIds: subnets },
      });
      b.role(`${id}NodeRole`, 'ec2.amazonaws.com', [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
      ]);
      b.add(
        `${id}Nodes`,
        'AWS::EKS::Nodegroup',
        {
          ClusterName: ref(id),
          NodeRole: arn(`${id}NodeRole`),
          Subnets: subnets,
          InstanceTypes: [b.prop(r, 'nodeSize')],
          ScalingConfig: { DesiredSize: b.prop(r, 'nodeCount'), MinSize: 1, MaxSize: b.prop(r, 'nodeCount') },
          Tags: Object.keys(b.bp.tags).length > 0 ? { ...b.bp.tags } : undefined, // a map here, not a list
        },
        {},
        false,
      );
      return;
    }
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
