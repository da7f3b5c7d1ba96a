// Rendering and schema validation of the Kubernetes manifests under deploy/kubernetes, without a
// cluster: kustomize (kubectl's built-in one, or a standalone kustomize) renders an overlay, and
// every document is checked twice against the Kubernetes API schemas shipped by kubernetes-models:
// its JSON-schema validator (types, required fields, formats), and a strict pass that rejects
// fields the schema does not know (a misspelt `readinessprobe` would otherwise be silently ignored
// by the JSON schema, which allows additional properties) by type-checking each document as an
// object literal of the resource's generated interface.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import YAML from 'yaml';

/** A rendered Kubernetes object (only the fields every object has are typed). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const REPO = path.resolve(import.meta.dirname, '../../..');

/** The kustomize command available here: `kubectl kustomize` or a standalone `kustomize build`. */
export function kustomizeCommand(): [string, string[]] {
  for (const [cmd, args] of [
    ['kubectl', ['kustomize']],
    ['kustomize', ['build']],
  ] as [string, string[]][]) {
    try {
      execFileSync(cmd, ['version', ...(cmd === 'kubectl' ? ['--client'] : [])], { stdio: 'ignore' });
      return [cmd, args];
    } catch {
      // try the next one
    }
  }
  throw new Error('neither kubectl (with its built-in kustomize) nor kustomize is on PATH');
}

/** Renders a kustomization directory (relative to the repo) into its objects. */
export function render(dir: string): K8sObject[] {
  const [cmd, args] = kustomizeCommand();
  const out = execFileSync(cmd, [...args, path.join(REPO, dir)], { encoding: 'utf8', timeout: 60_000 });
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** Where kubernetes-models keeps the model of an apiVersion (core "v1" has no group). */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/** JSON-schema validation with kubernetes-models; returns the problems (empty when valid). */
export async function schemaProblems(o: K8sObject): Promise<string[]> {
  const mod = (await import(modelModule(o.apiVersion))) as Record<
    string,
    (new (d: unknown) => { validate(): void }) | undefined
  >;
  const Model = mod[o.kind];
  if (!Model) return [`${o.apiVersion} ${o.kind}: no schema for this kind`];
  try {
    new Model(o).validate();
    return [];
  } catch (err) {
    return [`${o.kind}/${o.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`];
  }
}

/**
 * Strict validation: every object becomes `const x: I<Kind> = <object>` and TypeScript's excess
 * property check reports any field its API type does not declare, and any wrong type.
 */
export function strictProblems(objects: K8sObject[]): string[] {
  const dir = path.join(REPO, 'tmp', `k8s-typecheck-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  try {
    const lines: string[] = [];
    objects.forEach((o, i) => {
      lines.push(`import type { I${o.kind} as T${i} } from '${modelModule(o.apiVersion)}/${o.kind}';`);
    });
    objects.forEach((o, i) => {
      lines.push(`// ${o.kind}/${o.metadata?.name}`, `export const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`);
    });
    const file = path.join(dir, 'manifests.ts');
    writeFileSync(file, lines.join('\n'));
    const program = ts.createProgram([file], {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const where =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined;
      const owner = where === undefined ? '' : ownerOf(lines.join('\n'), where);
      return `${owner}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The "// Kind/name" comment above a generated line: which object a diagnostic is about. */
function ownerOf(source: string, line: number): string {
  const lines = source.split('\n');
  for (let i = line - 1; i >= 0; i--) if (lines[i]!.startsWith('// ')) return lines[i]!.slice(3);
  return '?';
}

/** The objects of one kind (and optionally name) in a rendering. */
export function ofKind<T = K8sObject>(objects: K8sObject[], kind: string, name?: string): T[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as T[];
}

/** The one object of a kind and name; throws when absent or repeated. */
export function one<T = K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = ofKind<T>(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0]!;
}

/** The ConfigMap generated from `name` (kustomize appends a content hash to its name). */
export function configMap(objects: K8sObject[], name: string): K8sObject & { data: Record<string, string> } {
  const found = objects.filter(
    (o) => o.kind === 'ConfigMap' && new RegExp(`^${name}(-[a-z0-9]{10})?$`).test(o.metadata.name),
  );
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${name}, found ${found.length}`);
  return found[0] as K8sObject & { data: Record<string, string> };
}

/** Settings of an ini file (PgBouncer's), `key = value` lines outside comments. */
export function iniSettings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith(';')) out[m[1]!] = m[2]!;
  }
  return out;
}
