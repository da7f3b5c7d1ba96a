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

// Strings that need no escaping: no backslash, quote, control character or template sigil.
// eslint-disable-next-line no-control-regex -- the control characters are what this matches
const NEEDS_ESCAPE = /[\\"\x00-\x1f\x7f]|[$%]\{/;

// Quoted literals by string: generated files repeat their labels, types and locations many times.
// Bounded: blueprints bring their own strings, so the map is dropped whole when full.
const quoted = new Map<string, string>();
const QUOTED_CACHE_SIZE = 4096;

/** Quotes a string as an HCL string literal (escaping template sequences too). */
export function quote(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = quoteUncached(s);
    if (quoted.size >= QUOTED_CACHE_SIZE) quoted.clear();
    quoted.set(s, q);
  }
  return q;
}

function quoteUncached(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
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

function isFlatList(v: HclValue[]): boolean {
  for (const e of v) if (Array.isArray(e) || isPlainObject(e)) return false;
  return true;
}

/** Renders a value; objects and lists of non-scalars span lines, indented one level below `pad`. */
function value(v: HclValue, pad: string): string {
  if (Array.isArray(v)) {
    if (isFlatList(v)) {
      let s = '[';
      for (let i = 0; i < v.length; i++) s += (i > 0 ? ', ' : '') + scalar(v[i]!);
      return s + ']';
    }
    let s = '[\n';
    for (const e of v) s += pad + '  ' + value(e, pad + '  ') + ',\n';
    return s + pad + ']';
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    const items: BodyItem[] = new Array<BodyItem>(keys.length);
    for (let i = 0; i < keys.length; i++) items[i] = { attr: objectKey(keys[i]!), value: v[keys[i]!] };
    const body = { s: '{\n' };
    writeBody(items, pad + '  ', body);
    return body.s + pad + '}';
  }
  return scalar(v);
}

// Output is accumulated with += (V8 concatenates ropes in constant time; one flatten at the end).
interface Sink {
  s: string;
}

// State of one body being written: the pending run of single-line attributes (keys and rendered
// values interleaved), whether a blank line is due before the next line, whether anything was written.
interface Body {
  sink: Sink;
  pad: string;
  run: string[];
  blank: boolean;
  wrote: boolean;
}

// Starts a line of the body: the pending blank line first.
function startLine(b: Body): void {
  if (b.blank) {
    b.sink.s += '\n';
    b.blank = false;
  }
  b.wrote = true;
}

// Writes the pending run with `=` aligned across it, as terraform fmt does.
function flushRun(b: Body): void {
  const run = b.run;
  if (run.length === 0) return;
  startLine(b);
  let width = 0;
  for (let i = 0; i < run.length; i += 2) if (run[i]!.length > width) width = run[i]!.length;
  let s = '';
  for (let i = 0; i < run.length; i += 2) s += b.pad + run[i]!.padEnd(width) + ' = ' + run[i + 1]! + '\n';
  b.sink.s += s;
  run.length = 0;
}

/** Writes body items at indentation `pad`: blank lines only between items, never leading or trailing. */
function writeBody(items: BodyItem[], pad: string, sink: Sink): void {
  const b: Body = { sink, pad, run: [], blank: false, wrote: false };
  for (const item of items) {
    if (item === BLANK) {
      flushRun(b);
      if (b.wrote) b.blank = true;
    } else if (isBlock(item)) {
      flushRun(b);
      startLine(b);
      writeBlock(item, pad, sink);
    } else if (item.value !== undefined) {
      const text = value(item.value, pad);
      if (text.includes('\n')) {
        flushRun(b);
        startLine(b);
        sink.s += pad + item.attr + ' = ' + text + '\n';
      } else b.run.push(item.attr, text);
    }
  }
  flushRun(b);
}

function hasContent(items: BodyItem[]): boolean {
  for (const item of items) if (item !== BLANK && (isBlock(item) || item.value !== undefined)) return true;
  return false;
}

function writeBlock(b: Block, pad: string, sink: Sink): void {
  let head = pad + b.type;
  for (const label of b.labels) head += ' ' + quote(label);
  if (!hasContent(b.body)) {
    sink.s += head + ' {}\n';
    return;
  }
  sink.s += head + ' {\n';
  writeBody(b.body, pad + '  ', sink);
  sink.s += pad + '}\n';
}

/** Renders one block at indentation `pad`. */
export function renderBlock(b: Block, pad = ''): string {
  const sink = { s: '' };
  writeBlock(b, pad, sink);
  return sink.s;
}

/** Renders a file of top-level blocks separated by blank lines ('' when there are none). */
export function renderFile(blocks: Block[]): string {
  const sink = { s: '' };
  for (let i = 0; i < blocks.length; i++) {
    if (i > 0) sink.s += '\n';
    writeBlock(blocks[i]!, '', sink);
  }
  return sink.s;
}
