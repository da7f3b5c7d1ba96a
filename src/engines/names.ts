/**
 * Cloud names that must be unique across the whole provider (S3 and GCS buckets, Azure storage
 * accounts, function apps, Service Bus namespaces, Redis caches, database servers): the resource
 * name plus a suffix derived from the tenant and the blueprint, so two tenants applying the same
 * blueprint never collide, and the same tenant always gets the same names (generation stays
 * deterministic). Each builder keeps within its provider's length and character rules.
 */
import { createHash } from 'node:crypto';
import type { BlueprintSpec } from './types.js';

/** Length of the suffix: 8 hex digits. */
export const SUFFIX_LENGTH = 8;

/** The per-tenant, per-blueprint suffix (hex): a digest of the seed and the blueprint's identity. */
export function globalNameSuffix(seed: string | undefined, spec: Pick<BlueprintSpec, 'id' | 'name'>): string {
  const identity = spec.id !== undefined ? `id:${spec.id}` : `inline:${spec.name}`;
  return createHash('sha256')
    .update(`${seed ?? ''}\n${identity}`)
    .digest('hex')
    .slice(0, SUFFIX_LENGTH);
}

/** The rules of one kind of global name. */
export interface NameRule {
  max: number;
  /** Letters and digits only (Azure storage accounts). */
  alphanumeric?: boolean;
  /** A trailing "-" is left for the cloud to append its own characters (S3 bucket_prefix). */
  prefix?: boolean;
}

/** Global name rules per kind. */
export const NAME_RULES = {
  /** S3 bucket_prefix: Terraform appends 26 characters to reach S3's 63. */
  s3Prefix: { max: 37, prefix: true },
  /** GCS bucket names: 3–63 lowercase letters, digits, "-" and "_", no "goog" prefix. */
  gcsBucket: { max: 63 },
  /** Azure storage accounts: 3–24 lowercase letters and digits. */
  azureStorage: { max: 24, alphanumeric: true },
  /** Azure DNS-named services (function apps, Redis, Service Bus, flexible servers). */
  azureHost: { max: 50 },
} as const satisfies Record<string, NameRule>;

/**
 * Literal start of a global name: the resource name (and an optional part), cut so that the
 * suffix and up to `indexDigits` of instance index still fit. Ends with the suffix (and "-" for
 * prefixes, or "-" before the index the caller appends).
 */
export function globalNameStem(name: string, suffix: string, rule: NameRule, part = '', indexDigits = 0): string {
  let base = (name + (part ? `-${part}` : ''))
    .toLowerCase()
    .replace(/goog/g, 'g00g') // GCS refuses names containing "google" or starting with "goog"
    .replace(/-+/g, '-');
  if (rule.alphanumeric) base = base.replace(/[^a-z0-9]/g, '');
  const sep = rule.alphanumeric ? '' : '-';
  const room =
    rule.max - suffix.length - sep.length - (indexDigits > 0 ? indexDigits + sep.length : 0) - (rule.prefix ? 1 : 0);
  base = base.slice(0, Math.max(1, room)).replace(/-+$/, '');
  if (!/^[a-z]/.test(base)) base = `r${base}`.slice(0, Math.max(1, room));
  return `${base}${sep}${suffix}${rule.prefix ? '-' : ''}`;
}
