import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_SETTINGS, type GuardrailSettings } from '../engines/index.js';
import { AppError, type FieldError } from '../errors.js';
import { toFieldErrors, validatorCompiler } from '../infra/http/validation.js';
import { checkBlueprint } from '../modules/blueprints/checks.js';
import { BlueprintInput } from '../modules/blueprints/schema.js';
import { Settings } from '../modules/engines/schema.js';
import type { ReviewSide } from '../modules/review/review.js';

/** Unreadable or invalid input (exit code 2); `errors` name the fields by JSON Pointer. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** Where stored blueprints come from: `--server` and `--token`. */
export interface Remote {
  server?: string;
  token?: string;
}

/** A blueprint ready for the engines, with the name it was given by. */
export type LoadedBlueprint = ReviewSide & { label: string };

// The server's own body validator: the same schema, defaults and error paths as POST /api/blueprints.
const compile = (schema: object) =>
  validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: 'cli' }) as ((v: unknown) => boolean) & {
    errors?: Parameters<typeof toFieldErrors>[0] | null;
  };
const validateBlueprint = compile(BlueprintInput);
const validateSettings = compile(Settings);

/** `blueprint:<id>` or `blueprint:<id>@<version>`. */
const STORED = /^blueprint:([0-9a-fA-F-]{36})(?:@(\d+\.\d+\.\d+))?$/;

/** JSON, or YAML (a superset of JSON, so error messages come from the JSON parser for .json files). */
export function parseDocument(source: string, label: string): unknown {
  try {
    return label.endsWith('.json') ? JSON.parse(source) : parseYaml(source, { maxAliasCount: 100, uniqueKeys: true });
  } catch (err) {
    throw new InputError(
      `${label}: not valid ${label.endsWith('.json') ? 'JSON' : 'JSON or YAML'}: ${(err as Error).message}`,
    );
  }
}

async function readSource(path: string): Promise<string> {
  try {
    return path === '-' ? await text(process.stdin) : await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(
      `${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
}

async function readDocument(path: string): Promise<unknown> {
  return parseDocument(await readSource(path), path === '-' ? 'stdin' : path);
}

/** GETs a JSON document from the API; a problem+json answer becomes an InputError with its detail. */
async function fetchJson(remote: Remote, path: string): Promise<unknown> {
  if (!remote.server) throw new InputError(`${path}: a stored blueprint needs --server (or IAC_DHARMA_SERVER)`);
  const base = remote.server.endsWith('/') ? remote.server : `${remote.server}/`;
  const url = new URL(path, base);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(remote.token ? { authorization: `Bearer ${remote.token}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new InputError(`${url.href}: ${(err as Error).message}`);
  }
  const body = await res.text();
  if (!res.ok) {
    let detail = body.slice(0, 200);
    try {
      detail = (JSON.parse(body) as { detail?: string }).detail ?? detail;
    } catch {
      // Not problem+json: the start of the body says enough.
    }
    throw new InputError(`${url.href}: ${res.status} ${detail}`);
  }
  return JSON.parse(body);
}

/** Validates a blueprint document exactly as the API validates a POST body, then its semantic checks. */
export function toBlueprint(doc: unknown, label: string): LoadedBlueprint {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new InputError(`${label}: a blueprint must be a JSON/YAML object`);
  // What the API adds to a stored blueprint; id and version are kept for the engines' output.
  const { id, version, createdAt: _c, updatedAt: _u, createdBy: _b, ...input } = doc as Record<string, unknown>;
  if (!validateBlueprint(input))
    throw new InputError(`${label}: not a valid blueprint`, toFieldErrors(validateBlueprint.errors ?? []));
  try {
    checkBlueprint(input as BlueprintInput);
  } catch (err) {
    if (err instanceof AppError) throw new InputError(`${label}: ${err.detail}`, err.errors);
    throw err;
  }
  return {
    ...(input as unknown as ReviewSide),
    ...(typeof id === 'string' ? { id } : {}),
    ...(typeof version === 'string' ? { version } : {}),
    label,
  };
}

/** A file, `-` (stdin) or `blueprint:<id>[@<version>]` fetched from the server. */
export async function loadBlueprint(ref: string, remote: Remote): Promise<LoadedBlueprint> {
  const stored = STORED.exec(ref);
  if (!stored) return toBlueprint(await readDocument(ref), ref === '-' ? 'stdin' : ref);
  const [, id, version] = stored;
  const path = version ? `api/blueprints/${id}/versions/${version}` : `api/blueprints/${id}`;
  return toBlueprint(await fetchJson(remote, path), ref);
}

/** `--params FILE` merged with `--param name=value` (values parsed as JSON when they are JSON). */
export async function loadParameters(file: string | undefined, pairs: string[]): Promise<Record<string, unknown>> {
  const fromFile = file === undefined ? {} : await readDocument(file);
  if (fromFile === null || typeof fromFile !== 'object' || Array.isArray(fromFile))
    throw new InputError(`${file}: parameters must be an object of name: value`);
  const out: Record<string, unknown> = { ...(fromFile as Record<string, unknown>) };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new InputError(`--param ${pair}: expected name=value`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // A bare word is a string: --param size=t3.large
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

/** Guardrail settings: `--settings FILE`, else the server's (with --server), else the defaults. */
export async function loadSettings(file: string | undefined, remote: Remote): Promise<GuardrailSettings> {
  if (file === undefined && !remote.server) return { ...DEFAULT_SETTINGS };
  const doc = file === undefined ? await fetchJson(remote, 'api/guardrails/settings') : await readDocument(file);
  if (!validateSettings(doc))
    throw new InputError(
      `${file ?? 'server settings'}: not valid guardrail settings`,
      toFieldErrors(validateSettings.errors ?? []),
    );
  return doc as GuardrailSettings;
}

/** `--usage FILE`: monthly usage per resource name or address. */
export async function loadUsage(file: string | undefined): Promise<Record<string, Record<string, number>> | undefined> {
  if (file === undefined) return undefined;
  const doc = await readDocument(file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new InputError(`${file}: usage must be an object of resource: {figure: number}`);
  return doc as Record<string, Record<string, number>>;
}
