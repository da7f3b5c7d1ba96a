// The load-test mix in k6's vocabulary (docs/perf/LOAD-TESTING.md): weighted scenarios with their own P95
// thresholds, the custom metrics api_availability, auth_success_rate (recorded by the VU
// engine), cache_hit_rate (from X-Cache), blueprint_creation_time and errors, and the global
// thresholds. Profiles (profiles.ts) add the executor: stages or an arrival rate.
import { jsonOf } from './lib/http.js';
import type { ScenarioDef, VuContext } from './lib/types.js';
import type { Thresholds } from './lib/thresholds.js';

// Most list traffic is the default first page; the rest spreads over the filters.
const LIST_QUERIES: [number, string][] = [
  [60, '?limit=20'],
  [10, '?limit=20&provider=aws'],
  [10, '?limit=20&provider=azure'],
  [10, '?limit=20&provider=gcp'],
  [10, '?limit=20&status=published'],
];

function weighted<T>(vu: VuContext, xs: [number, T][]): T {
  let x = vu.random() * xs.reduce((s, [w]) => s + w, 0);
  for (const [w, v] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![1];
}

function anyBlueprint(vu: VuContext) {
  const all = vu.data.blueprints;
  return all[Math.floor(vu.random() * all.length)]!;
}

/** A new blueprint body: unique name per VU and iteration, valid for every engine. */
export function newBlueprint(vu: VuContext): Record<string, unknown> {
  return {
    name: `load vu${vu.id} ${Date.now().toString(36)}${Math.floor(vu.random() * 1e6).toString(36)}`,
    description: 'created by the load test',
    provider: 'aws',
    region: 'us-east-1',
    parameters: { type: 'object', properties: { size: { type: 'string', default: 't3.micro' } } },
    resources: [
      { name: 'vpc', type: 'network', properties: { cidr: '10.0.0.0/16' } },
      { name: 'app', type: 'subnet', properties: { network: 'vpc', cidr: '10.0.1.0/24' } },
      {
        name: 'web',
        type: 'vm',
        properties: { size: '${param.size}', image: 'ubuntu-22.04', subnet: 'app' },
        count: 2,
      },
    ],
    tags: { Environment: 'dev', Owner: 'load-test', CostCenter: 'perf' },
  };
}

/** The scenarios and their default weights and P95 thresholds (docs/perf/LOAD-TESTING.md). */
export const scenarios: Record<string, ScenarioDef> = {
  health: {
    weight: 10,
    thresholds: { http_req_duration: ['p(95)<100'] },
    async exec(vu) {
      const r = await vu.request({ method: 'GET', path: '/health/live' });
      vu.metrics.rate('api_availability', r.status === 200, 'health');
    },
  },
  blueprint_list: {
    weight: 35,
    thresholds: { http_req_duration: ['p(95)<500'] },
    async exec(vu) {
      const r = await vu.request({ method: 'GET', path: `/api/blueprints${weighted(vu, LIST_QUERIES)}` });
      const ids = jsonOf<{ items?: { id: string }[] }>(r)?.items?.map((b) => b.id);
      if (ids?.length) vu.lastListIds = ids;
    },
  },
  blueprint_detail: {
    weight: 30,
    thresholds: { http_req_duration: ['p(95)<300'] },
    async exec(vu) {
      // Browse, then open one: mostly a blueprint from the page just listed.
      const seen = vu.lastListIds;
      const id = seen.length && vu.random() < 0.7 ? seen[Math.floor(vu.random() * seen.length)]! : anyBlueprint(vu).id;
      await vu.request({ method: 'GET', path: `/api/blueprints/${id}` });
    },
  },
  iac_generation: {
    weight: 10,
    thresholds: { http_req_duration: ['p(95)<1000'] },
    async exec(vu) {
      const b = anyBlueprint(vu);
      const format = b.provider === 'aws' && vu.random() < 0.3 ? 'cloudformation' : 'terraform';
      await vu.request({ method: 'POST', path: '/api/iac/generate', body: { blueprintId: b.id, format } });
    },
  },
  cost_estimate: {
    weight: 10,
    thresholds: { http_req_duration: ['p(95)<800'] },
    async exec(vu) {
      await vu.request({ method: 'POST', path: '/api/cost/estimate', body: { blueprintId: anyBlueprint(vu).id } });
    },
  },
  blueprint_creation: {
    weight: 5,
    // The metric has no documented target; one second is the IaC target, a write should beat it.
    thresholds: { blueprint_creation_time: ['p(95)<1000'] },
    async exec(vu) {
      const r = await vu.request({ method: 'POST', path: '/api/blueprints', body: newBlueprint(vu) }, [201]);
      if (r.status === 201) vu.metrics.trend('blueprint_creation_time', r.ms, 'blueprint_creation');
    },
  },
};

/** Global targets (docs/perf/LOAD-TESTING.md) plus the health of the run itself (logins, checks). */
export const thresholds: Thresholds = {
  http_req_duration: ['p(95)<500', 'p(99)<1000'],
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
  cache_hit_rate: ['rate>0.80'],
  auth_success_rate: ['rate>0.99'],
  api_availability: ['rate>0.99'],
};
