/** IPv4 CIDR arithmetic for the network planner (Terraform's cidrsubnet, containment, overlap). */

/** A parsed IPv4 CIDR block: `base` is the address as an unsigned 32-bit number. */
export interface Cidr {
  base: number;
  prefix: number;
}

/** Parses "a.b.c.d/n" (already checked against the catalogue's CIDR pattern). */
export function parseCidr(s: string): Cidr {
  const [ip, len] = s.split('/') as [string, string];
  const base = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, prefix: Number(len) };
}

/** "a.b.c.d/n". */
export function formatCidr(c: Cidr): string {
  return `${[24, 16, 8, 0].map((s) => (c.base >>> s) & 255).join('.')}/${c.prefix}`;
}

const size = (prefix: number) => 2 ** (32 - prefix);

/** The block with the host bits cleared: equal to `c` exactly when `c` is a network address. */
export function networkOf(c: Cidr): Cidr {
  return { base: c.base - (c.base % size(c.prefix)), prefix: c.prefix };
}

/** Terraform's cidrsubnet(): the index-th block of `newBits` more bits, or undefined if too small. */
export function cidrSubnet(c: Cidr, newBits: number, index: number): Cidr | undefined {
  const prefix = c.prefix + newBits;
  if (prefix > 32 || index >= 2 ** newBits) return undefined;
  return { base: c.base + index * size(prefix), prefix };
}

/** True when `inner` lies inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + size(inner.prefix) <= outer.base + size(outer.prefix)
  );
}

/** True when the two blocks share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);
}

/** Bits needed to number `n` blocks (0 for one). */
export function bitsFor(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}
