/** Public API of the pure engines; the HTTP routes import from here only. */
export { EngineError, ENGINE_ERROR_CODES, type EngineErrorCode } from './errors.js';
export { hashFiles, type GeneratedFile } from './hash.js';
export { PROPERTY_SCHEMAS, REFERENCE_PROPERTIES, validateResourceProperties } from './catalogue.js';
export { CLOUDFORMATION_TYPES, TERRAFORM_TYPES, terraformType } from './catalogue-mappings.js';
export {
  LIMITS,
  prepareBlueprint,
  validateBlueprint,
  type PrepareOptions,
  type PreparedBlueprint,
  type PreparedResource,
} from './blueprint.js';
export { type Issue } from './errors.js';
export { MAX_DEPTH, tooDeep } from './limits.js';
export { PARAM_NAME, parseTemplate, wholeParamRef } from './param-ref.js';
export { resolveParameterValues } from './params.js';
export { generateTerraform, type TerraformOptions, type TerraformResult } from './terraform/index.js';
export { generateCloudFormation, type CloudFormationResult } from './cloudformation.js';
export {
  estimateCost,
  PRICE_TABLE_VERSION,
  type CostComponent,
  type CostEstimate,
  type CostOptions,
  type CostResource,
} from './cost/index.js';
export {
  DEFAULT_SETTINGS,
  evaluateGuardrails,
  listRules,
  type GuardrailReport,
  type GuardrailResult,
  type GuardrailSettings,
} from './guardrails/index.js';
export * from './types.js';
