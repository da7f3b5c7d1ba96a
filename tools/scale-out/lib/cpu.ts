// CPU time per process from /proc (Linux): where the two cores go during a measurement window.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux this runs on). */
const TICKS = 100;

/** user + system CPU seconds of one process, undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS; // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

/** Pids whose command name is `comm` (e.g. every pgbouncer process). */
export function pidsByName(comm: string): number[] {
  return allPids().filter((pid) => readComm(pid) === comm);
}

/** Direct children of `parent` (nginx's workers). */
export function childrenOf(parent: number): number[] {
  return allPids().filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
    } catch {
      return false;
    }
  });
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A named group of processes whose CPU is summed (the group's pids are re-read at each sample). */
export interface CpuGroup {
  name: string;
  pids(): number[];
}

/** CPU seconds per group between two samples; a process that exits in between counts from its last reading. */
export function startCpuWindow(groups: CpuGroup[]): () => Record<string, number> {
  const first = new Map<number, number>();
  const seen = groups.map((g) => {
    const pids = g.pids();
    for (const p of pids) first.set(p, cpuSeconds(p) ?? 0);
    return pids;
  });
  const t0 = performance.now();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const out: Record<string, number> = {};
    groups.forEach((g, i) => {
      const pids = new Set([...seen[i]!, ...g.pids()]);
      let cpu = 0;
      for (const p of pids) {
        const now = cpuSeconds(p);
        if (now !== undefined) cpu += now - (first.get(p) ?? 0);
      }
      // Cores used on average over the window (1.0 = one core busy all the time).
      out[g.name] = cpu / seconds;
    });
    return out;
  };
}

/** Busy CPU seconds of the whole machine (all cores) so far, from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
  const total = line.reduce((s, x) => s + x, 0);
  return (total - line[3]! - (line[4] ?? 0)) / TICKS;
}
