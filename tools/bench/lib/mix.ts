// The reference request mix (docs/perf/LOAD-TESTING.md) as a wrk script: health 10, list 35, detail 30, IaC 10, cost 10,
// create 5 (the same weights, list filters and bodies as tools/load/scenarios.ts), each request
// authenticated as one of the tenant's editors in turn. Closed loop: every connection sends its
// next request as soon as the previous answer arrives.
import type { VuContext } from '../../load/lib/types.js';
import { newBlueprint } from '../../load/scenarios.js';

/** What the mix needs: editors' tokens and the tenant's blueprints. */
export interface MixData {
  tokens: string[];
  blueprints: { id: string; provider: string }[];
}

const lua = (v: unknown) => JSON.stringify(v);

/** Lua of the whole mix (`createOnly`: only the creations, the share no cache can serve). */
export function mixLua(data: MixData, createOnly = false): string {
  const weights = createOnly
    ? { health: 0, list: 0, detail: 0, iac: 0, cost: 0, create: 100 }
    : { health: 10, list: 35, detail: 30, iac: 10, cost: 10, create: 5 };
  const tokens = data.tokens.map((t) => lua(`Bearer ${t}`)).join(',');
  const ids = data.blueprints.map((b) => lua(b.id)).join(',');
  const aws = data.blueprints.map((b) => (b.provider === 'aws' ? 'true' : 'false')).join(',');
  // The body of a new blueprint: the load test's own (its name replaced per request).
  const created = JSON.stringify({ ...newBlueprint({ id: 1, random: () => 0.5 } as VuContext), name: 'NAME' });
  return `
local tokens = {${tokens}}
local ids = {${ids}}
local aws = {${aws}}
local created = ${lua(created)}
local lists = {
  {60, "/api/blueprints?limit=20"},
  {10, "/api/blueprints?limit=20&provider=aws"},
  {10, "/api/blueprints?limit=20&provider=azure"},
  {10, "/api/blueprints?limit=20&provider=gcp"},
  {10, "/api/blueprints?limit=20&status=published"},
}
local w = {${weights.health}, ${weights.list}, ${weights.detail}, ${weights.iac}, ${weights.cost}, ${weights.create}}
local n = 0
math.randomseed(20261130)

local function pick_list()
  local x = math.random() * 100
  for _, l in ipairs(lists) do
    x = x - l[1]
    if x < 0 then return l[2] end
  end
  return lists[1][2]
end

request = function()
  n = n + 1
  local h = { ["authorization"] = tokens[(n % #tokens) + 1] }
  local i = math.random(#ids)
  local x = math.random() * 100
  if x < w[1] then return wrk.format("GET", "/health/live") end
  x = x - w[1]
  if x < w[2] then return wrk.format("GET", pick_list(), h) end
  x = x - w[2]
  if x < w[3] then return wrk.format("GET", "/api/blueprints/" .. ids[i], h) end
  x = x - w[3]
  h["content-type"] = "application/json"
  if x < w[4] then
    local format = "terraform"
    if aws[i] and math.random() < 0.3 then format = "cloudformation" end
    return wrk.format("POST", "/api/iac/generate", h, '{"blueprintId":"' .. ids[i] .. '","format":"' .. format .. '"}')
  end
  x = x - w[4]
  if x < w[5] then return wrk.format("POST", "/api/cost/estimate", h, '{"blueprintId":"' .. ids[i] .. '"}') end
  return wrk.format("POST", "/api/blueprints", h, (string.gsub(created, "NAME", "bench " .. n .. " " .. math.random(1e9))))
end
`;
}
