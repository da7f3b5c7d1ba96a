// The README's quickstart stays true: its `bash` blocks run as written, in order, in one shell, in
// an empty directory, against the API on the embedded database (the server a new user starts with
// `npm start`), and every `# expect: REGEX` line of a block must match that block's output.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../helpers/app.js';

const run = promisify(execFile);
const README = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The quickstart section's bash blocks and their expectations. */
function quickstart(): { code: string; expects: RegExp[] }[] {
  const start = README.indexOf('## Quickstart');
  const section = README.slice(start, README.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => ({
    code: m[1]!,
    expects: [...m[1]!.matchAll(/^# expect: (.*)$/gm)].map((e) => new RegExp(e[1]!, 'm')),
  }));
}

describe('README quickstart', () => {
  let t: TestApp;
  let host: string;
  let dir: string;
  before(async () => {
    t = await startTestApp('embedded');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    host = `127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'dharma-quickstart-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written and prints what it says', async () => {
    const blocks = quickstart();
    assert.ok(blocks.length >= 4 && blocks.every((b) => b.expects.length > 0), `${blocks.length} blocks`);
    const script = blocks
      .map((b, i) => `echo "@@begin ${i}@@"\n${b.code.replaceAll('localhost:3000', host)}\necho "@@end ${i}@@"`)
      .join('\n');
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, timeout: 60_000 });
    for (const [i, b] of blocks.entries()) {
      const out = stdout.slice(stdout.indexOf(`@@begin ${i}@@`), stdout.indexOf(`@@end ${i}@@`));
      for (const e of b.expects) assert.match(out, e, `block ${i + 1}: ${e}\n${out}`);
    }
  });
});
