import { EngineError } from '../engines/index.js';
import { parseCli, USAGE, UsageError } from './args.js';
import { runCommand } from './commands.js';
import { InputError } from './inputs.js';

/** Where the CLI writes (tests pass their own). */
export interface Streams {
  out: (s: string) => void;
  err: (s: string) => void;
}

const processStreams: Streams = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
};

/** Runs the CLI on `argv` (without node and the script) and resolves to the exit code. */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: Streams = processStreams,
): Promise<number> {
  let args;
  try {
    args = parseCli(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`iac-dharma: ${err.message}\nRun "iac-dharma --help" for usage.\n`);
    return 2;
  }
  if (args === 'help') {
    const asked = argv.includes('--help') || argv.includes('-h');
    (asked ? io.out : io.err)(`${USAGE}\n`);
    return asked ? 0 : 2;
  }
  try {
    const { text, failures } = await runCommand(args);
    io.out(text.endsWith('\n') ? text : `${text}\n`);
    for (const f of failures) io.err(`iac-dharma: ${f}\n`);
    return failures.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof InputError) {
      io.err(`iac-dharma: ${err.message}\n${err.errors.map((e) => `  ${e.path}: ${e.message}\n`).join('')}`);
      return 2;
    }
    if (err instanceof EngineError) {
      io.err(`iac-dharma: ${err.message}${err.path ? ` (at ${err.path})` : ''}\n`);
      return 2;
    }
    io.err(`iac-dharma: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}
