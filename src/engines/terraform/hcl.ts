/**
 * A tiny HCL writer that emits `terraform fmt`'s canonical form directly: 2-space indentation,
 * and `=` aligned across each run of consecutive single-line attributes (a blank line, a nested
 * block or a multi-line value ends the run, exactly as hclwrite's formatter decides).
 */

/** A raw HCL expression (reference, function call), emitted verbatim. */
export class Raw {
  constructor(readonly text: string) {}
}

/** Wraps an expression so it is emitted verbatim. */
export const raw = (text: string): Raw => new Raw(text);

/** Any HCL value this writer can emit. */
export type HclValue = string | number | boolean | null | Raw | HclValue[] | { [key: string]: HclValue };

/** A block: `type "label" ... { body }`. */
export interface Block {
  type: string;
  labels: string[];
  body: BodyItem[];
}

/** An item of a block body; `undefined` attribute values are skipped, BLANK is an empty line. */
export type BodyItem = { attr: string; value: HclValue | undefined } | Block | typeof BLANK;

/** An empty line between groups of a body. */
export const BLANK = 'blank' as const;

/** Builds a block. */
export const block = (type: string, labels: string[], body: BodyItem[]): Block => ({ type, labels, body });

/** Builds an attribute item. */
export const attr = (name: string, value: HclValue | undefined): BodyItem => ({ attr: name, value });

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Quotes a string as an HCL string literal (escaping template sequences too). */
export function quote(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  // "${" and "%{" start template sequences; doubling the sigil makes them literal.
  return '"' + out.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{') + '"';
}

/** A string template mixing literal text and `${expression}` interpolations. */
export function template(parts: Array<string | Raw>): Raw {
  return raw(
    '"' + parts.map((p) => (typeof p === 'string' ? quote(p).slice(1, -1) : '${' + p.text + '}')).join('') + '"',
  );
}

function objectKey(k: string): string {
  return IDENT.test(k) ? k : quote(k);
}

function isBlock(item: BodyItem): item is Block {
  return typeof item === 'object' && 'body' in item;
}

function scalar(v: HclValue): string {
  if (v instanceof Raw) return v.text;
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('non-finite number in HCL');
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'null';
}

function isPlainObject(v: HclValue): v is { [key: string]: HclValue } {
  return v !== null && typeof v === 'object' && !(v instanceof Raw) && !Array.isArray(v);
}

/** Renders a value; objects and lists of non-scalars span lines, indented one level below `pad`. */
function value(v: HclValue, pad: string): string {
  if (Array.isArray(v)) {
    if (v.every((e) => !Array.isArray(e) && !isPlainObject(e))) return '[' + v.map(scalar).join(', ') + ']';
    return '[\n' + v.map((e) => `${pad}  ${value(e, pad + '  ')},\n`).join('') + pad + ']';
  }
  if (isPlainObject(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return (
      '{\n' +
      lines(
        entries.map(([k, e]) => ({ attr: objectKey(k), value: e })),
        pad + '  ',
      ).join('') +
      pad +
      '}'
    );
  }
  return scalar(v);
}

/** Renders body items at indentation `pad`, aligning runs of single-line attributes. */
function lines(items: BodyItem[], pad: string): string[] {
  const out: string[] = [];
  let run: Array<[string, string]> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([k]) => k.length));
    for (const [k, v] of run) out.push(`${pad}${k.padEnd(width)} = ${v}\n`);
    run = [];
  };
  for (const item of items) {
    if (item === BLANK) {
      flush();
      if (out.length > 0 && out[out.length - 1] !== '\n') out.push('\n');
    } else if (isBlock(item)) {
      flush();
      out.push(renderBlock(item, pad));
    } else if (item.value !== undefined) {
      const text = value(item.value, pad);
      if (text.includes('\n')) {
        flush();
        out.push(`${pad}${item.attr} = ${text}\n`);
      } else run.push([item.attr, text]);
    }
  }
  flush();
  while (out[out.length - 1] === '\n') out.pop();
  return out;
}

/** Renders one block at indentation `pad`. */
export function renderBlock(b: Block, pad = ''): string {
  const head = [b.type, ...b.labels.map(quote)].join(' ');
  const body = lines(b.body, pad + '  ');
  if (body.length === 0) return `${pad}${head} {}\n`;
  return `${pad}${head} {\n${body.join('')}${pad}}\n`;
}

/** Renders a file of top-level blocks separated by blank lines ('' when there are none). */
export function renderFile(blocks: Block[]): string {
  return blocks.map((b) => renderBlock(b)).join('\n');
}
