import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  DEFAULT_SETTINGS,
  EngineError,
  estimateCost,
  evaluateGuardrails,
  generateCloudFormation,
  generateTerraform,
  hashFiles,
  listRules,
  type BlueprintSpec,
} from '../../engines/index.js';
import { NotFoundError, UnprocessableError, ValidationError } from '../../errors.js';
import type { Principal } from '../auth/tokens.js';
import { assertMaxDepth, checkBlueprint } from '../blueprints/checks.js';
import type { BlueprintRepo } from '../blueprints/repo.js';
import type { BlueprintInput } from '../blueprints/schema.js';
import type { EngineRepo } from './repo.js';
import type { EstimateBody, EvaluateBody, GenerateBody, Settings } from './schema.js';

/** The seed of a tenant's globally unique cloud names: derived, so no tenant id reaches generated code. */
export function tenantNameSeed(tenantId: string): string {
  return createHash('sha256').update(`iac-dharma/global-names/${tenantId}`).digest('hex');
}

type Source = { blueprintId?: string; blueprint?: BlueprintInput; parameters?: Record<string, unknown> };
const BLUEPRINT_FIELDS = /^\/(resources|parameters|provider|region|tags|name)(\/|$)/;

/** Runs a pure engine; its EngineError becomes a 422 naming the field (inside `/blueprint` when inline). */
function run<T>(inline: boolean, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    const path =
      err.path === undefined
        ? undefined
        : inline && BLUEPRINT_FIELDS.test(err.path)
          ? `/blueprint${err.path}`
          : err.path;
    throw new UnprocessableError(err.message, path === undefined ? undefined : [{ path, message: err.message }]);
  }
}

const COST_MEMO_LIMIT = 10_000;

/** IaC generation, cost estimation and guardrails over the tenant's or an inline blueprint. */
export function createEngineService(blueprints: BlueprintRepo, repo: EngineRepo) {
  // Estimates are a pure function of (blueprint id, version): memoised for the stats summary.
  const costMemo = new LRUCache<string, { monthly: number | null }>({ max: COST_MEMO_LIMIT });

  async function resolve(p: Principal, body: Source): Promise<{ spec: BlueprintSpec; inline: boolean }> {
    if ((body.blueprintId === undefined) === (body.blueprint === undefined)) {
      throw new ValidationError('Invalid body: give exactly one of blueprintId and blueprint', [
        { path: '/blueprintId', message: 'exactly one of blueprintId and blueprint is required' },
      ]);
    }
    if (body.parameters) assertMaxDepth(body.parameters, '/parameters');
    if (body.blueprint) {
      checkBlueprint(body.blueprint, '/blueprint');
      return { spec: body.blueprint as BlueprintSpec, inline: true };
    }
    const stored = await blueprints.get(p.tenantId, body.blueprintId!);
    if (!stored) throw new NotFoundError('Blueprint');
    return { spec: stored as BlueprintSpec, inline: false };
  }

  async function settingsOf(tenantId: string): Promise<Settings> {
    return (await repo.settings(tenantId)) ?? { ...DEFAULT_SETTINGS, requiredTags: [...DEFAULT_SETTINGS.requiredTags] };
  }

  return {
    async generate(p: Principal, body: GenerateBody) {
      const { spec, inline } = await resolve(p, body);
      const out = run(inline, () =>
        body.format === 'terraform'
          ? generateTerraform(spec, body.parameters, { nameSeed: tenantNameSeed(p.tenantId) })
          : generateCloudFormation(spec, body.parameters, { nameSeed: tenantNameSeed(p.tenantId) }),
      );
      return { format: body.format, files: out.files, resourceCount: out.resourceCount, hash: hashFiles(out.files) };
    },

    async estimate(p: Principal, body: EstimateBody) {
      const { spec, inline } = await resolve(p, body);
      return run(inline, () => estimateCost(spec, body.parameters, { region: body.region, usage: body.usage }));
    },

    async evaluate(p: Principal, body: EvaluateBody) {
      const { spec, inline } = await resolve(p, body);
      const settings = await settingsOf(p.tenantId);
      return run(inline, () =>
        evaluateGuardrails(spec, body.parameters, settings, { budgetMonthly: body.budgetMonthly }),
      );
    },

    rules: () => ({
      items: listRules().map(({ id, title, severity, enforcement, remediation }) => ({
        id,
        title,
        severity,
        enforcement,
        remediation,
      })),
    }),
    settings: (p: Principal) => settingsOf(p.tenantId),
    async saveSettings(p: Principal, s: Settings): Promise<Settings> {
      await repo.saveSettings(p.tenantId, s);
      return s;
    },

    /**
     * Sum of the monthly estimates of every blueprint of every project (a blueprint used by two
     * projects counts twice). Blueprints the engine cannot price (unknown SKU) count as 0 and
     * usage-based lines without usage contribute nothing: the figure is a floor, never a guess.
     */
    async projectsMonthlyCost(tenantId: string): Promise<number> {
      let total = 0;
      for (const b of await repo.projectBlueprints(tenantId)) {
        const key = `${b.id}@${b.version}`;
        let memo = costMemo.get(key);
        if (memo === undefined) {
          let monthly: number | null;
          try {
            monthly = estimateCost(b).totalMonthlyCost;
          } catch {
            monthly = null;
          }
          costMemo.set(key, (memo = { monthly }));
        }
        total += memo.monthly ?? 0;
      }
      return Math.round(total * 100) / 100;
    },
  };
}

export type EngineService = ReturnType<typeof createEngineService>;
