/** Shared domain types of the pure engines (IaC generation, cost, guardrails). No I/O here. */

export const PROVIDERS = ['aws', 'azure', 'gcp'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The provider-neutral resource catalogue's type names (docs/API.md §4). */
export const RESOURCE_TYPES = [
  'network',
  'subnet',
  'security_group',
  'vm',
  'disk',
  'bucket',
  'database',
  'cache',
  'load_balancer',
  'nat_gateway',
  'kubernetes_cluster',
  'function',
  'queue',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** One resource of a blueprint; property values may hold "${param.x}" references. */
export interface BlueprintResource {
  name: string;
  type: ResourceType;
  properties: Record<string, unknown>;
  count?: number;
}

/** The part of a blueprint the engines read. */
export interface BlueprintSpec {
  id?: string;
  name: string;
  version?: string;
  provider: Provider;
  region: string;
  parameters: Record<string, unknown>;
  resources: BlueprintResource[];
  tags: Record<string, string>;
}
