// jsonb keeps an object's keys sorted by their UTF-8 length, then bytewise (PostgreSQL's
// lengthCompareJsonbStringValue); JSON.parse of jsonb's text then puts integer-like keys first,
// as every JS object does. A value stored as jsonb and read back therefore has a key order the
// app can compute without the round trip.
const byJsonbOrder = (a: string, b: string): number => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length - y.length || Buffer.compare(x, y);
};

/** A copy of a JSON value with every object's keys in the order a jsonb round trip gives them. */
export function jsonbOrdered<T>(value: T): T {
  if (Array.isArray(value)) return value.map(jsonbOrdered) as T;
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort(byJsonbOrder)) {
    // defineProperty: a key named __proto__ is data, never the prototype.
    if (o[k] !== undefined)
      Object.defineProperty(out, k, {
        value: jsonbOrdered(o[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out as T;
}
