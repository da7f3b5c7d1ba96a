/**
 * Blueprint → Terraform, split as HashiCorp's style guide does: terraform.tf, providers.tf,
 * main.tf, variables.tf, outputs.tf. Output is deterministic and already in `terraform fmt` form.
 */
import { prepareBlueprint, type PrepareOptions, type PreparedBlueprint } from '../blueprint.js';
import type { GeneratedFile } from '../hash.js';
import type { BlueprintSpec, Provider } from '../types.js';
import { emitAws } from './aws.js';
import { emitAzure, azureLocals } from './azure.js';
import { emitGcp, gcpLabelKey, gcpLabelValue } from './gcp.js';
import { variableNames, written, type TfContext } from './context.js';
import { attr as a, BLANK, block, raw, renderFile, type Block, type HclValue } from './hcl.js';

/** Provider sources and version constraints pinned by generated configurations. */
export const PROVIDER_VERSIONS = {
  aws: { name: 'aws', source: 'hashicorp/aws', version: '~> 5.0' },
  azure: { name: 'azurerm', source: 'hashicorp/azurerm', version: '~> 4.30' },
  gcp: { name: 'google', source: 'hashicorp/google', version: '~> 6.0' },
  random: { name: 'random', source: 'hashicorp/random', version: '~> 3.6' },
  tls: { name: 'tls', source: 'hashicorp/tls', version: '~> 4.0' },
} as const;

/** Minimum Terraform version of generated configurations (`required_version`). */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.5.0';

/** Result of generateTerraform. */
export interface TerraformResult {
  files: GeneratedFile[];
  resourceCount: number;
}

function hclType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) {
    const inner = new Set(v.map(hclType));
    return inner.size === 1 && !inner.has('any') && !String([...inner][0]).includes('(')
      ? `list(${[...inner][0]})`
      : 'list(any)';
  }
  if (v !== null && typeof v === 'object') {
    const inner = new Set(Object.values(v).map(hclType));
    return inner.size === 1 && inner.has('string') ? 'map(string)' : 'any';
  }
  return 'any';
}

function variables(ctx: TfContext): Block[] {
  const props =
    (ctx.bp.spec.parameters as { properties?: Record<string, { description?: unknown; writeOnly?: unknown }> })
      .properties ?? {};
  // Only what the configuration refers to: a variable nothing reads would be a setting that does nothing.
  return [...ctx.varNames.entries()]
    .filter(([param]) => ctx.used.has(param))
    .sort(([, x], [, y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([param, name]) => {
      const schema = props[param] ?? {};
      const description =
        typeof schema.description === 'string' && schema.description.length > 0
          ? schema.description
          : `Blueprint parameter "${param}".`;
      return block(
        'variable',
        [name],
        [
          a('type', raw(hclType(ctx.bp.values[param]))),
          a('description', description),
          a('default', ctx.bp.values[param] as HclValue),
          a('sensitive', schema.writeOnly === true ? true : undefined),
        ],
      );
    });
}

function terraformFile(ctx: TfContext, provider: Provider): Block[] {
  const needed = [PROVIDER_VERSIONS[provider], ...[...ctx.extra].sort().map((e) => PROVIDER_VERSIONS[e])];
  const providers: Record<string, HclValue> = {};
  for (const p of needed) providers[p.name] = { source: p.source, version: p.version };
  return [
    block(
      'terraform',
      [],
      [
        a('required_version', TERRAFORM_REQUIRED_VERSION),
        BLANK,
        block(
          'required_providers',
          [],
          Object.entries(providers).map(([k, v]) => a(k, v)),
        ),
      ],
    ),
  ];
}

/** The blueprint's tags, sorted, with parameter references kept as variables. */
function tagValues(ctx: TfContext): Array<[string, HclValue]> {
  const given = ctx.bp.spec.tags ?? {};
  return Object.keys(ctx.bp.tags)
    .sort()
    .map((k) => [k, written(ctx, given[k], ctx.bp.tags[k]) as HclValue]);
}

function providersFile(ctx: TfContext): Block[] {
  const bp = ctx.bp;
  const tags = tagValues(ctx);
  if (bp.provider === 'aws') {
    return [
      block(
        'provider',
        ['aws'],
        [
          a('region', bp.region),
          ...(tags.length > 0 ? [BLANK, block('default_tags', [], [a('tags', Object.fromEntries(tags))])] : []),
        ],
      ),
    ];
  }
  if (bp.provider === 'azure') return [block('provider', ['azurerm'], [block('features', [], [])])];
  const labels = Object.fromEntries(tags.map(([k, v]) => [gcpLabelKey(k), gcpLabelValue(v)]));
  return [
    block(
      'provider',
      ['google'],
      [a('region', bp.region), a('default_labels', Object.keys(labels).length > 0 ? labels : undefined)],
    ),
  ];
}

/** Options of generateTerraform. */
export type TerraformOptions = PrepareOptions;

/** Generates the Terraform files of a blueprint with the given parameter values. */
export function generateTerraform(
  spec: BlueprintSpec,
  params?: Record<string, unknown>,
  options: TerraformOptions = {},
): TerraformResult {
  return generateTerraformPrepared(prepareBlueprint(spec, params, options));
}

/** generateTerraform for an already prepared blueprint. */
export function generateTerraformPrepared(bp: PreparedBlueprint): TerraformResult {
  const ctx: TfContext = {
    bp,
    varNames: variableNames(Object.keys(bp.values)),
    used: new Set(),
    extra: new Set(),
    shared: new Map(),
  };
  const emitted: Block[] = [];
  for (const r of bp.resources) {
    emitted.push(
      ...(bp.provider === 'aws' ? emitAws(ctx, r) : bp.provider === 'azure' ? emitAzure(ctx, r) : emitGcp(ctx, r)),
    );
  }
  const locals = bp.provider === 'azure' ? azureLocals(ctx, Object.fromEntries(tagValues(ctx))) : [];
  const main = [...locals, ...ctx.shared.values(), ...emitted];
  const outputs = bp.resources.map((r) =>
    block(
      'output',
      [`${r.name}_id`],
      [
        a(
          'description',
          `ID of ${r.type} "${r.name}" (${r.address}${r.count === undefined ? '' : ', one per instance'}).`,
        ),
        a('value', raw(`${r.address}${r.count === undefined ? '' : '[*]'}.id`)),
      ],
    ),
  );
  const providers = renderFile(providersFile(ctx)); // before variables: tags may use some
  const files: GeneratedFile[] = [
    { path: 'terraform.tf', content: renderFile(terraformFile(ctx, bp.provider)) },
    { path: 'providers.tf', content: providers },
    { path: 'main.tf', content: renderFile(main) },
    { path: 'variables.tf', content: renderFile(variables(ctx)) },
    { path: 'outputs.tf', content: renderFile(outputs) },
  ];
  // resourceCount counts the generated `resource` blocks (auxiliaries included), not data sources.
  return { files, resourceCount: main.filter((b) => b.type === 'resource').length };
}
