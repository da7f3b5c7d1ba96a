import type { FastifyBaseLogger } from 'fastify';
import { roleAtLeast, type Principal, type Role } from './tokens.js';

/** A user's access as changed recently: the role held now, or null once deleted. */
export type AccessChanges = Map<string, Role | null>;

export interface RevocationOptions {
  /** Reads every access change recent enough that a token issued before it may still be valid. */
  load: () => Promise<AccessChanges>;
  pollMs: number;
  log: FastifyBaseLogger;
}

/**
 * Which access tokens no longer hold, on every replica. A role change or deletion is written to
 * the database with the user (user_access_changes, migrations/004) and every replica reads the
 * recent ones every `pollMs`: one indexed query, no Redis needed, so a change reaches all replicas
 * within about one poll. A token stays valid only while its user exists and holds at least the role
 * it states; rows older than a token's lifetime revoke nothing and are pruned by the writers.
 */
export function createRevocations(opts: RevocationOptions) {
  let current: AccessChanges = new Map();
  // Changes this replica made, kept until a poll that started after them has seen them: a poll
  // already in flight when the change committed may not include it.
  const notes = new Map<string, { role: Role | null; at: number }>();
  let epoch = 0;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function apply(next: AccessChanges, pollStarted: number): void {
    for (const [id, note] of notes) {
      if (note.at < pollStarted) notes.delete(id);
      else next.set(id, note.role);
    }
    // Only a new or changed entry can revoke something; one leaving the window revokes nothing.
    for (const [id, role] of next) {
      if (current.get(id) !== role || !current.has(id)) {
        epoch += 1;
        break;
      }
    }
    current = next;
  }

  async function poll(): Promise<void> {
    const started = Date.now();
    try {
      apply(await opts.load(), started);
      if (failing) opts.log.info('token revocations readable again');
      failing = false;
    } catch (err) {
      // The last known revocations stay in force; one line per outage, not per poll.
      if (!failing) opts.log.warn({ err }, 'cannot read token revocations; keeping the last known ones');
      failing = true;
    } finally {
      if (!closed) timer = setTimeout(() => void poll(), opts.pollMs).unref();
    }
  }

  return {
    /** Starts polling (the first read happens at once). */
    start(): Promise<void> {
      return poll();
    },
    /** True when this principal's token must be refused: its user was deleted or holds a lower role now. */
    revoked(p: Principal): boolean {
      const now = current.get(p.id);
      return now !== undefined && (now === null || !roleAtLeast(now, p.role));
    },
    /** Changes whenever a new revocation is learned: holders of earlier verifications re-check then. */
    epoch: () => epoch,
    /** A change this replica committed: in force here at once, elsewhere after their next poll. */
    note(userId: string, role: Role | null): void {
      notes.set(userId, { role, at: Date.now() });
      const next = new Map(current);
      next.set(userId, role);
      if (current.get(userId) !== role || !current.has(userId)) epoch += 1;
      current = next;
    },
    close(): void {
      closed = true;
      clearTimeout(timer);
    },
  };
}

export type Revocations = ReturnType<typeof createRevocations>;
