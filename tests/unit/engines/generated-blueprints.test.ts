import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, makeBlueprint } from '../../../scripts/seed/generate.js';
import { newBlueprint } from '../../../tools/load/scenarios.js';
import { validateBlueprint, type BlueprintSpec } from '../../../src/engines/index.js';
import type { VuContext } from '../../../tools/load/lib/types.js';

// The demo data and the load test create blueprints through the API: each must pass save validation.
test('every seeded blueprint passes the save-time validation', () => {
  const r = createRandom(42);
  for (let n = 0; n < 1_200; n++) {
    const b = makeBlueprint(r, n) as unknown as BlueprintSpec;
    assert.deepEqual(validateBlueprint(b), [], `${b.name} (${b.provider})`);
  }
});

test("the load test's new blueprints pass the save-time validation", () => {
  for (let id = 1; id <= 20; id++) {
    const b = newBlueprint({ id, random: Math.random } as unknown as VuContext) as unknown as BlueprintSpec;
    assert.deepEqual(validateBlueprint(b), []);
  }
});
