/**
 * A small evaluator for the HCL expressions the generators write, over hcl2json's output, so the
 * property tests can check what Terraform would compute (CIDRs, zones, names, references) per
 * instance without running Terraform. It knows exactly the subset the generators use: literals,
 * templates, variables, count.index, arithmetic and comparisons, conditionals, list indexing,
 * splats, for expressions, and the functions cidrsubnet, floor, concat, length, lower, replace, substr.
 */
import { cidrSubnet, formatCidr, parseCidr } from '../../../src/engines/cidr.js';

/** A reference to an attribute of a resource instance (index undefined: an uncounted resource). */
export interface Ref {
  ref: string;
  index: number | undefined;
  attr: string;
}
/** A zone of data.aws_availability_zones / google_compute_zones, by index. */
export interface Zone {
  zone: number;
}
/** An evaluated value. */
export type Val = number | string | boolean | null | Ref | Zone | Val[] | { [k: string]: Val };

/** What an expression can see. */
export interface Env {
  index: number | undefined;
  vars: Record<string, unknown>;
  /** Resource address ("aws_subnet.app") → its instance count (undefined when uncounted). */
  counts: Map<string, number | undefined>;
  /** Iterators of dynamic blocks and for expressions. */
  locals?: Record<string, Val>;
}

type Node =
  | { k: 'lit'; v: Val }
  | { k: 'tpl'; parts: Array<string | Node> }
  | { k: 'name'; name: string }
  | { k: 'get'; of: Node; attr: string }
  | { k: 'index'; of: Node; at: Node }
  | { k: 'splat'; of: Node; attr: string }
  | { k: 'call'; fn: string; args: Node[] }
  | { k: 'list'; items: Node[] }
  | { k: 'for'; key: string; value: string; coll: Node; body: Node; cond?: Node }
  | { k: 'op'; op: string; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node };

const TOKEN = /\s*(\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_-]*|==|!=|>=|<=|\[\*\]|[-+*/%()[\]{},.:?!<>=])/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  // Strings may hold ${...} with quotes inside: scan them by hand, tracking brace depth.
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i]!)) {
      i++;
      continue;
    }
    if (src[i] === '"') {
      let j = i + 1;
      let depth = 0;
      while (j < src.length) {
        const c = src[j]!;
        if (c === '\\') j += 2;
        else if (depth === 0 && c === '"') break;
        else {
          if (c === '$' && src[j + 1] === '{') {
            depth++;
            j += 2;
            continue;
          }
          if (depth > 0 && c === '}') depth--;
          if (depth > 0 && c === '"') {
            // a string inside an interpolation: skip it whole
            j++;
            while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
          }
          j++;
        }
      }
      out.push(src.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`cannot tokenize ${JSON.stringify(src.slice(i, i + 30))}`);
    out.push(m[1]!);
    i = TOKEN.lastIndex;
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly t: string[]) {}
  private peek = () => this.t[this.pos];
  private next = () => this.t[this.pos++]!;
  private eat(tok: string): void {
    if (this.next() !== tok) throw new Error(`expected ${tok} at ${this.t.slice(this.pos - 1).join(' ')}`);
  }
  parse(): Node {
    const n = this.expr();
    if (this.pos !== this.t.length) throw new Error(`trailing ${this.t.slice(this.pos).join(' ')}`);
    return n;
  }
  expr(): Node {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.next();
    const a = this.expr();
    this.eat(':');
    return { k: 'cond', c, a, b: this.expr() };
  }
  private static PREC: Record<string, number> = {
    '||': 1,
    '&&': 2,
    '==': 3,
    '!=': 3,
    '<': 4,
    '>': 4,
    '<=': 4,
    '>=': 4,
    '+': 5,
    '-': 5,
    '*': 6,
    '/': 6,
    '%': 6,
  };
  private binary(min: number): Node {
    let a = this.unary();
    for (;;) {
      const op = this.peek();
      const p = op === undefined ? undefined : Parser.PREC[op];
      if (p === undefined || p <= min) return a;
      this.next();
      a = { k: 'op', op: op!, a, b: this.binary(p) };
    }
  }
  private unary(): Node {
    if (this.peek() === '!') {
      this.next();
      return { k: 'not', a: this.unary() };
    }
    return this.postfix(this.primary());
  }
  private postfix(n: Node): Node {
    for (;;) {
      const tok = this.peek();
      if (tok === '.') {
        this.next();
        n = { k: 'get', of: n, attr: this.next() };
      } else if (tok === '[*]') {
        this.next();
        this.eat('.');
        n = { k: 'splat', of: n, attr: this.next() };
      } else if (tok === '[') {
        this.next();
        const at = this.expr();
        this.eat(']');
        n = { k: 'index', of: n, at };
      } else return n;
    }
  }
  private primary(): Node {
    const tok = this.next();
    if (/^\d/.test(tok)) return { k: 'lit', v: Number(tok) };
    if (tok.startsWith('"')) return template(tok.slice(1, -1));
    if (tok === 'true' || tok === 'false') return { k: 'lit', v: tok === 'true' };
    if (tok === 'null') return { k: 'lit', v: null };
    if (tok === '(') {
      const e = this.expr();
      this.eat(')');
      return e;
    }
    if (tok === '[') {
      if (this.peek() === 'for') {
        this.next();
        const key = this.next();
        let value = key;
        let k2 = '';
        if (this.peek() === ',') {
          this.next();
          value = this.next();
          k2 = key;
        }
        this.eat('in');
        const coll = this.expr();
        this.eat(':');
        const body = this.expr();
        let cond: Node | undefined;
        if (this.peek() === 'if') {
          this.next();
          cond = this.expr();
        }
        this.eat(']');
        return { k: 'for', key: k2, value, coll, body, cond };
      }
      const items: Node[] = [];
      while (this.peek() !== ']') {
        items.push(this.expr());
        if (this.peek() === ',') this.next();
      }
      this.next();
      return { k: 'list', items };
    }
    if (this.peek() === '(') {
      this.next();
      const args: Node[] = [];
      while (this.peek() !== ')') {
        args.push(this.expr());
        if (this.peek() === ',') this.next();
      }
      this.next();
      return { k: 'call', fn: tok, args };
    }
    return { k: 'name', name: tok };
  }
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)).replace(/\$\$\{/g, '${');
}

// A string literal's content: literal parts and ${...} interpolations ("$${" is a literal "${").
function template(body: string): Node {
  const parts: Array<string | Node> = [];
  let lit = '';
  let i = 0;
  while (i < body.length) {
    if (body.startsWith('$${', i)) {
      lit += '$${';
      i += 3;
    } else if (body.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      while (j < body.length && depth > 0) {
        if (body[j] === '{') depth++;
        else if (body[j] === '}') depth--;
        else if (body[j] === '"') {
          j++;
          while (body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
        }
        j++;
      }
      if (lit) parts.push(unescape(lit));
      lit = '';
      parts.push(new Parser(tokenize(body.slice(i + 2, j - 1))).parse());
      i = j;
    } else lit += body[i++];
  }
  if (lit) parts.push(unescape(lit));
  if (parts.length === 1 && typeof parts[0] !== 'string' && body.startsWith('${') && body.endsWith('}'))
    return parts[0]!;
  return { k: 'tpl', parts };
}

type Partial = Val | { path: string[] };

function isPath(v: Partial): v is { path: string[] } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'path' in v;
}

function asRef(path: string[], index: number | undefined, attr: string): Ref {
  return { ref: path.join('.'), index, attr };
}

// Resolves a bare traversal (no index) to a value.
function resolvePath(p: string[], env: Env): Partial {
  const [head, ...rest] = p;
  if (head === 'var' && rest.length === 1) return env.vars[rest[0]!] as Val;
  if (head === 'count' && rest[0] === 'index') return env.index!;
  if (head === 'data' && p.length === 4 && p[3] === 'names') return { path: p };
  if (head === 'local') return { path: p };
  if (p.length === 3 && env.counts.has(`${p[0]}.${p[1]}`)) return asRef(p.slice(0, 2), undefined, p[2]!);
  return { path: p };
}

function evalNode(n: Node, env: Env): Partial {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'tpl':
      return n.parts.map((p) => (typeof p === 'string' ? p : String(value(p, env)))).join('');
    case 'name':
      if (env.locals && n.name in env.locals) return env.locals[n.name]!;
      return { path: [n.name] };
    case 'get': {
      const of = evalNode(n.of, env);
      if (isPath(of)) return resolvePath([...of.path, n.attr], env);
      if (of && typeof of === 'object' && 'ref' in of) return { ...(of as Ref), attr: n.attr };
      return (of as Record<string, Val>)[n.attr]!;
    }
    case 'index': {
      const of = evalNode(n.of, env);
      const at = value(n.at, env) as number;
      if (isPath(of)) {
        if (of.path[0] === 'data') return { zone: at };
        return { ref: of.path.join('.'), index: at, attr: '' };
      }
      return (of as Val[])[at]!;
    }
    case 'splat': {
      const of = evalNode(n.of, env);
      const addr = (of as { path: string[] }).path.join('.');
      const c = env.counts.get(addr);
      return Array.from({ length: c ?? 1 }, (_, i) => ({
        ref: addr,
        index: c === undefined ? undefined : i,
        attr: n.attr,
      }));
    }
    case 'list':
      return n.items.map((i) => value(i, env));
    case 'for': {
      const coll = evalNode(n.coll, env);
      const addr = (coll as { path: string[] }).path.join('.');
      const out: Val[] = [];
      for (let k = 0; k < (env.counts.get(addr) ?? 1); k++) {
        const inner: Env = {
          ...env,
          locals: { ...env.locals, [n.key || '_']: k, [n.value]: { ref: addr, index: k, attr: '' } },
        };
        if (n.cond && value(n.cond, inner) !== true) continue;
        out.push(value(n.body, inner));
      }
      return out;
    }
    case 'not':
      return !value(n.a, env);
    case 'cond':
      return value(n.c, env) ? value(n.a, env) : value(n.b, env);
    case 'op': {
      const a = value(n.a, env) as number;
      const b = value(n.b, env) as number;
      switch (n.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '%':
          return a % b;
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '>=':
          return a >= b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '<':
          return a < b;
      }
      throw new Error(`operator ${n.op}`);
    }
    case 'call': {
      const args = n.args.map((x) => value(x, env));
      switch (n.fn) {
        case 'cidrsubnet':
          return formatCidr(cidrSubnet(parseCidr(args[0] as string), args[1] as number, args[2] as number)!);
        case 'floor':
          return Math.floor(args[0] as number);
        case 'concat':
          return (args as Val[][]).flat();
        case 'length':
          return (args[0] as Val[]).length;
        case 'lower':
          return (args[0] as string).toLowerCase();
        case 'substr':
          return (args[0] as string).slice(args[1] as number, (args[1] as number) + (args[2] as number));
        case 'replace': {
          const pattern = args[1] as string;
          const re = pattern.startsWith('/') ? new RegExp(pattern.slice(1, -1), 'g') : pattern;
          return (args[0] as string).replaceAll(re, args[2] as string);
        }
        default:
          return { path: [`${n.fn}()`] };
      }
    }
  }
}

function value(n: Node, env: Env): Val {
  const v = evalNode(n, env);
  return isPath(v) ? (v.path.join('.') as Val) : v;
}

/** Evaluates an attribute value as hcl2json gives it (expressions are "${...}" strings). */
export function evaluate(attr: unknown, env: Env): Val {
  if (typeof attr === 'string') return value(template(attr), env);
  if (Array.isArray(attr)) return attr.map((a) => evaluate(a, env));
  if (attr !== null && typeof attr === 'object')
    return Object.fromEntries(Object.entries(attr).map(([k, v]) => [k, evaluate(v, env)]));
  return attr as Val;
}

/** True when `v` is a reference. */
export function isRef(v: unknown): v is Ref {
  return v !== null && typeof v === 'object' && 'ref' in v;
}
