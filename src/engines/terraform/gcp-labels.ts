/** GCP labels allow lowercase letters, digits, "_" and "-" only: blueprint tags are folded to that. */
import { raw, type HclValue, type Raw } from './hcl.js';

const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);

/** A label key for a tag key (keys must also start with a letter). */
export function gcpLabelKey(k: string): string {
  const key = fold(k);
  return /^[a-z]/.test(key) ? key : ('t' + key).slice(0, 63);
}

/** Blueprint tags as GCP labels. */
export function gcpLabels(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[gcpLabelKey(k)] = fold(v);
  return out;
}

/** A label value: literal text folded here, a variable folded by Terraform with the same rule. */
export function gcpLabelValue(v: HclValue): HclValue {
  if (typeof v === 'string') return fold(v);
  const text = (v as Raw).text;
  return raw(`substr(replace(lower(${text}), "/[^a-z0-9_-]/", "_"), 0, 63)`);
}
