import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, relative } from 'node:path';
import lockfile from 'proper-lockfile';

// PGlite keeps the whole database in one process's memory and writes its files back when it likes:
// a second process opening the same directory works on its own copy, and whatever it writes is
// lost or overwritten. So the directory has one opener at a time, enforced by a lock directory
// (proper-lockfile: atomic mkdir, mtime refreshed while held) next to the data directory, plus a
// holder file naming the process, so a second opener can say who holds it.

// A holder that stopped refreshing the lock this long ago is gone (e.g. on another host sharing the
// directory, where its pid cannot be checked). Long, because PGlite runs SQL on the event loop and
// a big statement can delay the refresh by seconds.
const STALE_MS = 60_000;
// On this host a dead holder is seen at once by its pid; its lock is taken over once the lock's
// mtime is this old (proper-lockfile's minimum), so a holder in the middle of taking the lock is
// never mistaken for a dead one.
const DEAD_HOLDER_STALE_MS = 2_000;
const ATTEMPTS = 3;

/** Who holds the lock, written by the holder right after taking it. */
interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** Linux: the process start time (/proc/<pid>/stat field 22), so a reused pid is not taken for the holder. */
  started?: string;
}

/** A second process tried to open the embedded database directory. */
export class DataDirBusyError extends Error {
  constructor(dataDir: string, holder: Holder | undefined) {
    const who = holder
      ? `pid ${holder.pid} (${holder.command}) on ${holder.host} since ${holder.since}`
      : 'another process (it has not written its name yet)';
    super(
      `the embedded database ${dataDir} is in use by ${who}: stop that process first, ` +
        'or point DATABASE_URL at a PostgreSQL server to share one database',
    );
    this.name = 'DataDirBusyError';
    // An expected operational refusal, printed as one line by whoever reports it: no stack trace.
    this.stack = `${this.name}: ${this.message}`;
  }
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** False only when the holder is provably dead: same host, and its pid gone or reused. */
function holderAlive(h: Holder): boolean {
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = processStart(h.pid);
  return h.started === undefined || started === undefined || started === h.started;
}

function readHolder(file: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

function describeCommand(): string {
  const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) || process.argv[1] : '';
  const cmd = [basename(process.argv0), script].filter(Boolean).join(' ');
  const npm = process.env.npm_lifecycle_event;
  return (npm ? `npm run ${npm}: ${cmd}` : cmd).slice(0, 200);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Takes the directory's lock or throws DataDirBusyError naming the holder; a holder that died
 * (kill -9, crash) is detected by its pid and its lock taken over. Resolves with the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const holderFile = `${dataDir}.holder.json`;
  const lockDir = `${dataDir}.lock`;
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    command: describeCommand(),
    since: new Date().toISOString(),
    started: processStart(process.pid),
  };
  const onCompromised = (err: Error) => {
    // Someone removed or took over our lock: carrying on could lose writes to a second opener.
    process.stderr.write(`fatal: lost the lock of the embedded database ${dataDir}: ${err.message}\n`);
    process.exit(1);
  };
  for (let attempt = 1; ; attempt++) {
    let release: () => Promise<void>;
    let holder: Holder | undefined;
    try {
      release = await lockfile.lock(dataDir, { stale: STALE_MS, lockfilePath: lockDir, onCompromised });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      holder = readHolder(holderFile);
      if (!holder || holderAlive(holder) || attempt === ATTEMPTS) throw new DataDirBusyError(dataDir, holder);
      try {
        release = await lockfile.lock(dataDir, { stale: DEAD_HOLDER_STALE_MS, lockfilePath: lockDir, onCompromised });
      } catch (again) {
        if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
        // The lock changed hands a moment ago (or the dead holder had just refreshed it): wait
        // until a dead holder's refresh is surely older than the threshold, then look again.
        const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
        await sleep(Math.max(0, Math.min(DEAD_HOLDER_STALE_MS - age, DEAD_HOLDER_STALE_MS)) + 50);
        continue;
      }
    }
    // Written atomically, so a reader never sees half a holder.
    writeFileSync(`${holderFile}.${process.pid}`, JSON.stringify(me));
    renameSync(`${holderFile}.${process.pid}`, holderFile);
    return async () => {
      if (readHolder(holderFile)?.pid === process.pid) unlinkSync(holderFile);
      await release();
    };
  }
}
