import { DataDirBusyError } from './index.js';

/**
 * Opens what a command-line tool needs; a refusal the user can act on (the embedded database held
 * by another process) is one line on stderr and exit code 1, not a stack trace.
 */
export async function openOrExit<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (!(err instanceof DataDirBusyError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
