/**
 * Blueprint → one CloudFormation `template.yaml` (AWS only). Only resource types and properties
 * of AWS's published resource specification are used (tests check them against it). `count`
 * expands into numbered logical IDs (CloudFormation has no count without a transform).
 */
import { prepareBlueprint, type PrepareOptions, type PreparedBlueprint } from './blueprint.js';
import { cidrSubnet as subnetOf, formatCidr, parseCidr } from './cidr.js';
import { Builder, parameters, ref, type Json } from './cloudformation-builder.js';
import { emit } from './cloudformation-resources.js';
import { EngineError, pointer } from './errors.js';
import type { GeneratedFile } from './hash.js';
import type { BlueprintSpec } from './types.js';
import { stringifyYaml } from './yaml-writer.js';

/** Result of generateCloudFormation. */
export interface CloudFormationResult {
  files: GeneratedFile[];
  resourceCount: number;
}

const MAX_CFN_RESOURCES = 500; // CloudFormation's per-template quota

/** Generates the CloudFormation template of an AWS blueprint with the given parameter values. */
export function generateCloudFormation(
  spec: BlueprintSpec,
  params?: Record<string, unknown>,
  options: PrepareOptions = {},
): CloudFormationResult {
  return generateCloudFormationPrepared(prepareBlueprint(spec, params, options));
}

/** generateCloudFormation for an already prepared blueprint. */
export function generateCloudFormationPrepared(bp: PreparedBlueprint): CloudFormationResult {
  const template = cloudFormationTemplate(bp);
  // YAML 1.1 rules make the writer quote what CloudFormation's 1.1 parser would misread (dates, yes/no, on/off).
  const content = stringifyYaml(template);
  return { files: [{ path: 'template.yaml', content }], resourceCount: Object.keys(template.Resources!).length };
}

/** The template of a prepared AWS blueprint as a JSON tree (before YAML). */
export function cloudFormationTemplate(bp: PreparedBlueprint): Record<string, Json> {
  if (bp.provider !== 'aws')
    throw new EngineError(
      'unsupported_provider',
      `CloudFormation describes AWS only; this blueprint targets ${bp.provider}`,
      '/provider',
    );
  const b = new Builder(bp);
  for (const r of bp.resources) {
    for (let i = 0; i < (r.count ?? 1); i++) {
      emit(b, r, i);
      if (b.resourceCount > MAX_CFN_RESOURCES) {
        throw new EngineError(
          'limit_exceeded',
          `more than ${MAX_CFN_RESOURCES} CloudFormation resources after count expansion`,
          pointer('resources', r.index, 'count'),
        );
      }
      const id = b.id(r, i);
      b.outputs[`${id}Id`] = {
        Description: `ID of ${r.type} "${r.name}"${r.count === undefined ? '' : ` [${i}]`}`,
        Value: ref(id),
      };
    }
  }
  parameters(b); // after the resources: only the parameters they refer to are declared
  const template: Record<string, Json> = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `${bp.spec.name} (IAC Dharma blueprint${bp.spec.id ? ` ${bp.spec.id}` : ''}${bp.spec.version ? `@${bp.spec.version}` : ''})`,
  };
  if (Object.keys(b.parameters).length > 0) template.Parameters = b.parameters;
  template.Resources = b.resources;
  template.Outputs = b.outputs;
  return template;
}

/** IPv4 cidrsubnet(), as Terraform's function computes it. */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  const c = subnetOf(parseCidr(cidr), newBits, index);
  if (!c) throw new EngineError('invalid_property', `${cidr} is too small to split into ${2 ** newBits} subnets`);
  return formatCidr(c);
}
