/**
 * Generated Terraform loaded back for the property tests: every resource instance with its
 * attributes evaluated as Terraform would (hcl-eval.ts), variables at their defaults.
 */
import assert from 'node:assert/strict';
import { format } from '@cdktf/hcl-tools';
import { parse } from '@cdktf/hcl2json';
import { evaluate, isRef, type Env, type Ref, type Val } from './hcl-eval.js';

/** One instance of a Terraform resource. */
export interface Instance {
  type: string;
  name: string;
  index: number | undefined;
  body: Record<string, unknown>;
  env: Env;
}

/** The loaded configuration. */
export interface Model {
  vars: Record<string, unknown>;
  counts: Map<string, number | undefined>;
  instances: Map<string, Instance[]>;
  text: Record<string, string>;
}

/** Parses the files, checks they are in `terraform fmt` form, and evaluates every instance. */
export async function load(files: Array<{ path: string; content: string }>): Promise<Model> {
  const text: Record<string, string> = {};
  const parsed: Record<string, Record<string, any>> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const f of files) {
    assert.equal(await format(f.content), f.content, `${f.path} is not in terraform fmt form`);
    text[f.path] = f.content;
    parsed[f.path] = await parse(f.path, f.content);
  }
  const vars: Record<string, unknown> = {};
  for (const [name, [v]] of Object.entries(parsed['variables.tf']?.variable ?? {}) as Array<
    [string, [{ default: unknown }]]
  >)
    vars[name] = v.default;
  const counts = new Map<string, number | undefined>();
  const bodies: Array<[string, string, Record<string, unknown>]> = [];
  for (const [type, byName] of Object.entries(parsed['main.tf']!.resource ?? {}) as Array<
    [string, Record<string, Array<Record<string, unknown>>>]
  >)
    for (const [name, [body]] of Object.entries(byName)) {
      bodies.push([type, name, body!]);
      counts.set(`${type}.${name}`, undefined);
    }
  for (const [type, name, body] of bodies)
    if (body.count !== undefined)
      counts.set(`${type}.${name}`, evaluate(body.count, { index: undefined, vars, counts }) as number);
  const instances = new Map<string, Instance[]>();
  for (const [type, name, body] of bodies) {
    const c = counts.get(`${type}.${name}`);
    instances.set(
      `${type}.${name}`,
      Array.from({ length: c ?? 1 }, (_, i) => {
        const index = c === undefined ? undefined : i;
        return { type, name, index, body, env: { index, vars, counts } };
      }),
    );
  }
  return { vars, counts, instances, text };
}

/** Every instance of a resource type. */
export function ofType(m: Model, type: string): Instance[] {
  return [...m.instances.entries()].filter(([addr]) => addr.startsWith(`${type}.`)).flatMap(([, list]) => list);
}

/** An attribute of an instance, evaluated. */
export function attr(i: Instance, key: string): Val {
  return evaluate(i.body[key], i.env);
}

/** An attribute of the first nested block `block` of an instance. */
export function blockAttr(i: Instance, block: string, key: string): Val {
  const b = (i.body[block] as Array<Record<string, unknown>> | undefined)?.[0];
  return b === undefined ? undefined! : evaluate(b[key], i.env);
}

/** The instance a reference points at. */
export function target(m: Model, r: Ref): Instance {
  const list = m.instances.get(r.ref);
  assert.ok(list, `reference to ${r.ref}, which is not declared`);
  const inst = list.find((x) => x.index === r.index);
  assert.ok(inst, `reference to ${r.ref}[${String(r.index)}], which does not exist`);
  return inst;
}

/** "type.name[i]" of an instance. */
export function key(i: { type?: string; name?: string; ref?: string; index: number | undefined }): string {
  const base = 'ref' in i && i.ref ? i.ref : `${i.type}.${i.name}`;
  return i.index === undefined ? base : `${base}[${i.index}]`;
}

/** The references of a list-valued attribute (concat, splat and for expressions evaluated). */
export function refs(v: Val): Ref[] {
  if (isRef(v)) return [v];
  assert.ok(Array.isArray(v), `expected a list of references, got ${JSON.stringify(v)}`);
  return (v as Val[]).flatMap(refs);
}

/** Every NAT route of a dynamic or static `route`/`subnetwork` block, per instance. */
export function blockValues(i: Instance, block: string, keyName: string): Val[] {
  const statics = (i.body[block] as Array<Record<string, unknown>> | undefined) ?? [];
  const out = statics.map((b) => evaluate(b[keyName], i.env));
  const dyn = (i.body.dynamic as Record<string, Array<Record<string, unknown>>> | undefined)?.[block]?.[0];
  if (dyn) {
    const each = evaluate(dyn.for_each, i.env) as Val[];
    const content = (dyn.content as Array<Record<string, unknown>>)[0]!;
    for (const v of each)
      out.push(evaluate(content[keyName], { ...i.env, locals: { [block]: { value: v } as Record<string, Val> } }));
  }
  return out;
}
