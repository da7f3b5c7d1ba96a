import argon2 from 'argon2';
import { createHashGate, type HashGateOptions } from './hash-gate.js';

// OWASP's minimum for argon2id: 19 MiB memory, 2 iterations, 1 lane.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with argon2id (PHC string, salt included); ungated, for scripts such as the seed. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

// Verified against when the email is unknown, so both answers take the same time.
let dummyHash: Promise<string> | undefined;

async function verifyNow(hash: string | undefined, password: string): Promise<boolean> {
  if (hash === undefined) {
    dummyHash ??= hashPassword('not-a-real-password-0000');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Password hashing and checking through one bounded gate (see hash-gate.ts). */
export function createPasswords(opts: HashGateOptions) {
  const gate = createHashGate(opts);
  return {
    /** Hashes a password once a slot is free. */
    hash: (password: string) => gate.run(() => hashPassword(password)),
    /**
     * True when password matches hash; with no hash, burns the same time and returns false.
     * `onStart` runs in the slot right before the check (the login limits count the attempt
     * there, so only checks actually running hold a count); when it throws, nothing is checked.
     */
    verify: (hash: string | undefined, password: string, onStart?: () => Promise<void>) =>
      gate.run(async () => {
        await onStart?.();
        return verifyNow(hash, password);
      }),
    stats: gate.stats,
  };
}

export type Passwords = ReturnType<typeof createPasswords>;
