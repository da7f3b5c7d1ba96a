/** Text helpers of the CLI's table and markdown output: money, aligned columns, markdown tables. */

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const SIGNED_USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', signDisplay: 'exceptZero' });

/** $1,234.56; a dash for a figure that is not known (usage-based without usage). */
export function money(x: number | null | undefined): string {
  return x === null || x === undefined ? '–' : USD.format(x);
}

/** +$12.30 / -$4.00 / $0.00. */
export function signedMoney(x: number): string {
  return SIGNED_USD.format(x);
}

/** The change as a percentage of the old figure: "+58.3%", "new" when the old figure is 0. */
export function percentChange(past: number, delta: number): string {
  if (delta === 0) return '0%';
  if (past === 0) return 'new';
  const pct = (delta / past) * 100;
  return `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** Columns padded to their widest cell; `right` lists the columns aligned right (figures). */
export function table(header: string[], rows: string[][], right: number[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A cell's text made safe for a markdown table (pipes escaped, one line). */
export function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks in the value. */
export function code(s: string): string {
  const ticks = '`'.repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return ticks.length > 1 ? `${ticks} ${s} ${ticks}` : `\`${s}\``;
}

/** A GitHub-flavoured markdown table; `right` lists the right-aligned columns. */
export function mdTable(header: string[], rows: string[][], right: number[] = []): string {
  const sep = header.map((_, c) => (right.includes(c) ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function fenced(body: string, lang = ''): string {
  const longest = Math.max(0, ...[...body.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body.endsWith('\n') ? body : `${body}\n`}${fence}`;
}

/** A value shown in a change list: strings bare, everything else as compact JSON, long ones cut. */
export function shortValue(v: unknown, max = 60): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
