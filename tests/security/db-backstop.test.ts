/**
 * The backstop behind validation: should a NUL or an unpaired surrogate ever reach PostgreSQL,
 * its refusal (22021 in text, 22P05 in jsonb) is a 400, not an opaque 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mapDbError } from '../../src/infra/db/errors.js';
import { AppError } from '../../src/errors.js';
import { createTestDatabase, directQuery, type TestDatabase } from '../helpers/stack.js';

describe("PostgreSQL's refusal of unstorable text", () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database?.drop());

  const refusal = (sql: string, value: string) =>
    directQuery(database.directUrl, sql, [value]).then(
      () => assert.fail('PostgreSQL accepted it'),
      (err: unknown) => err,
    );

  it('maps NUL in text (22021) and in jsonb (22P05) to a 400', async () => {
    const inText = await refusal('SELECT $1::text AS v', 'a\u0000b');
    const inJson = await refusal('SELECT $1::jsonb AS v', '{"a":"\\u0000"}');
    assert.equal((inText as { code: string }).code, '22021');
    assert.equal((inJson as { code: string }).code, '22P05');
    for (const err of [inText, inJson]) {
      const mapped = mapDbError(err);
      assert.ok(mapped instanceof AppError);
      assert.equal(mapped.status, 400);
      assert.equal(mapped.code, 'validation');
    }
  });
});
