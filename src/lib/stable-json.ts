/**
 * Canonical JSON: object keys sorted, so equal values serialise equally whatever their key order
 * (content keys of the response cache, digests of user schemas). Iterative on purpose: request
 * bodies can nest as deep as JSON.parse allows, far beyond the call stack.
 */

type Frame =
  | { kind: 'array'; items: unknown[]; next: number }
  | { kind: 'object'; obj: Record<string, unknown>; keys: string[]; next: number };

/** JSON with sorted object keys; `undefined` (never in parsed JSON) is written as null. */
export function stableJson(value: unknown): string {
  let out = '';
  const stack: Frame[] = [];
  let current: unknown = value;
  for (;;) {
    // Write `current`: a scalar directly, a container by opening it and pushing a frame.
    if (Array.isArray(current)) {
      out += '[';
      stack.push({ kind: 'array', items: current, next: 0 });
    } else if (current !== null && typeof current === 'object') {
      out += '{';
      const obj = current as Record<string, unknown>;
      stack.push({ kind: 'object', obj, keys: Object.keys(obj).sort(), next: 0 });
    } else {
      out += JSON.stringify(current) ?? 'null';
    }
    // Find the next value to write, closing every finished container on the way up.
    let advanced = false;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.kind === 'array') {
        if (top.next < top.items.length) {
          if (top.next > 0) out += ',';
          current = top.items[top.next++];
          advanced = true;
          break;
        }
        out += ']';
      } else {
        if (top.next < top.keys.length) {
          const key = top.keys[top.next++]!;
          out += (top.next > 1 ? ',' : '') + JSON.stringify(key) + ':';
          current = top.obj[key];
          advanced = true;
          break;
        }
        out += '}';
      }
      stack.pop();
    }
    if (!advanced) return out;
  }
}
