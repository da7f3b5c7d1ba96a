/**
 * Guardrails report each risk where a scanner of the generated code (Checkov) reports it: on the
 * Terraform resource that carries the setting, which must exist in the generated code; rules that
 * do not apply to a provider report nothing there; a secure blueprint passes every rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '@cdktf/hcl2json';
import { evaluateGuardrails } from '../../../src/engines/guardrails/index.js';
import { generateTerraform } from '../../../src/engines/terraform/index.js';
import type { BlueprintSpec, Provider } from '../../../src/engines/types.js';
import { fullBlueprint, REGION } from './fixtures.js';

const SIZES: Record<Provider, { vm: string; node: string }> = {
  aws: { vm: 't3.micro', node: 't3.medium' },
  azure: { vm: 'Standard_B1s', node: 'Standard_B2s' },
  gcp: { vm: 'e2-micro', node: 'e2-medium' },
};

function insecure(provider: Provider): BlueprintSpec {
  return {
    name: 'insecure',
    provider,
    region: REGION[provider],
    parameters: {},
    tags: { Environment: 'dev', Owner: 'me', CostCenter: 'cc-1' },
    resources: [
      { name: 'net', type: 'network', properties: { restrictDefaultSecurityGroup: false } },
      {
        name: 'edge',
        type: 'subnet',
        count: 2,
        properties: { network: 'net', cidr: '10.0.0.0/24', public: true, autoAssignPublicIp: true },
      },
      { name: 'site', type: 'bucket', properties: { public: true, encrypted: false } },
      { name: 'scratch', type: 'disk', properties: { encrypted: false } },
      { name: 'db', type: 'database', properties: { encrypted: false, publiclyAccessible: true } },
      {
        name: 'ssh',
        type: 'security_group',
        properties: {
          network: 'net',
          ingress: [
            { protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/8' },
            { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' },
          ],
        },
      },
      {
        name: 'jump',
        type: 'vm',
        properties: { size: SIZES[provider].vm, subnet: 'edge', securityGroups: ['ssh'], publicIp: true },
      },
      {
        name: 'k8s',
        type: 'kubernetes_cluster',
        properties: { nodeSize: SIZES[provider].node, subnets: ['edge'], publicEndpoint: true },
      },
    ],
  };
}

// Rule → where Checkov reports it (its check IDs in comments), per provider; absent: not a risk there.
const EXPECTED: Record<Provider, Record<string, string[]>> = {
  aws: {
    'bucket-public': ['aws_s3_bucket.site', 'aws_s3_bucket_public_access_block.site'], // CKV2_AWS_6, CKV_AWS_53-56
    'bucket-unencrypted': ['aws_s3_bucket.site'], // CKV_AWS_19, CKV_AWS_145
    'bucket-versioning': ['aws_s3_bucket.site'], // CKV_AWS_21
    'disk-unencrypted': ['aws_ebs_volume.scratch'], // CKV_AWS_3
    'database-unencrypted': ['aws_db_instance.db'], // CKV_AWS_16
    'database-public': ['aws_db_instance.db'], // CKV_AWS_17
    'ingress-admin-ports-open': ['aws_security_group.ssh'], // CKV_AWS_24
    'vm-public-ip': ['aws_instance.jump'], // CKV_AWS_88
    'kubernetes-public-endpoint': ['aws_eks_cluster.k8s'], // CKV_AWS_39
    'subnet-public-ip-on-launch': ['aws_subnet.edge[0]', 'aws_subnet.edge[1]'], // CKV_AWS_130
    'default-security-group-open': ['aws_vpc.net'], // CKV2_AWS_12
  },
  azure: {
    'bucket-public': ['azurerm_storage_account.site', 'azurerm_storage_container.site'], // CKV_AZURE_190, CKV_AZURE_34
    'bucket-versioning': ['azurerm_storage_account.site'],
    'database-public': ['azurerm_postgresql_flexible_server.db'], // CKV_AZURE_136-style public access
    'ingress-admin-ports-open': ['azurerm_network_security_group.ssh'], // CKV_AZURE_10
    'vm-public-ip': ['azurerm_network_interface.jump'], // CKV_AZURE_119
    'kubernetes-public-endpoint': ['azurerm_kubernetes_cluster.k8s'], // CKV_AZURE_115
  },
  gcp: {
    'bucket-public': ['google_storage_bucket.site', 'google_storage_bucket_iam_member.site'], // CKV_GCP_114, CKV_GCP_28
    'bucket-versioning': ['google_storage_bucket.site'], // CKV_GCP_78
    'database-public': ['google_sql_database_instance.db'], // CKV_GCP_11
    'ingress-admin-ports-open': ['google_compute_firewall.ssh_2'], // CKV_GCP_2: the firewall of 0.0.0.0/0
    'vm-public-ip': ['google_compute_instance.jump'], // CKV_GCP_40
    'kubernetes-public-endpoint': ['google_container_cluster.k8s'], // CKV_GCP_25
  },
};

// The addresses of every resource instance the generated Terraform declares.
async function declared(spec: BlueprintSpec): Promise<Set<string>> {
  const main = generateTerraform(spec, {}).files.find((f) => f.path === 'main.tf')!.content;
  const tree = (await parse('main.tf', main)) as {
    resource: Record<string, Record<string, Array<{ count?: number }>>>;
  };
  const out = new Set<string>();
  for (const [type, byName] of Object.entries(tree.resource))
    for (const [name, [body]] of Object.entries(byName)) {
      if (typeof body!.count === 'number') for (let i = 0; i < body!.count; i++) out.add(`${type}.${name}[${i}]`);
      else out.add(`${type}.${name}`);
    }
  return out;
}

for (const provider of ['aws', 'azure', 'gcp'] as const) {
  test(`${provider}: each risk of the insecure blueprint is reported on the resource a scanner names`, async () => {
    const spec = insecure(provider);
    const report = evaluateGuardrails(spec, {});
    const failed = new Map<string, string[]>();
    for (const r of report.results.filter((x) => x.status === 'failed'))
      failed.set(r.ruleId, [...(failed.get(r.ruleId) ?? []), r.resource].sort());
    assert.deepEqual(Object.fromEntries(failed), EXPECTED[provider]);
    const resources = await declared(spec);
    for (const address of [...failed.values()].flat())
      assert.ok(resources.has(address), `${address} is not in the generated Terraform`);
  });

  test(`${provider}: the secure blueprint passes every rule, and every result names generated code`, async () => {
    const spec = fullBlueprint(provider);
    const report = evaluateGuardrails(spec, {}, { allowedRegions: [spec.region] }, { budgetMonthly: 100_000 });
    assert.deepEqual(
      report.results.filter((r) => r.status === 'failed'),
      [],
    );
    const resources = await declared(spec);
    for (const r of report.results)
      if (!r.resource.startsWith('provider.') && r.resource !== '*')
        assert.ok(resources.has(r.resource), `${r.ruleId}: ${r.resource} is not in the generated Terraform`);
  });
}
