// Small plain-text tables: readable in any chat client, and cheap in tokens.
import { visible } from '../core/visible.js';

export interface TableOptions {
  /** Longest cell; longer ones are cut with "…" (default 40). */
  maxCell?: number;
  /** Columns (by index) whose long cells wrap onto continuation lines instead of being cut: reasons are read in full. */
  wrap?: readonly number[];
}

export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number | undefined)[])[],
  opts: number | TableOptions = {},
): string {
  const o: TableOptions = typeof opts === 'number' ? { maxCell: opts } : opts;
  const max = o.maxCell ?? 40;
  const wrap = new Set(o.wrap ?? []);
  // Each row becomes one or more printed lines: wrapped columns carry their overflow onto the lines below.
  const lines: string[][] = [];
  for (const r of rows) {
    const cells = headers.map((_, i) => flat(r[i] === undefined ? '' : String(r[i])));
    const parts = cells.map((c, i) => (wrap.has(i) ? wrapText(c, max) : [clip(c, max)]));
    const height = Math.max(...parts.map((p) => p.length));
    for (let k = 0; k < height; k++) lines.push(parts.map((p) => p[k] ?? ''));
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(line)].join('\n');
}

// Control characters from tenant data must not break the table or smuggle instructions across lines; invisible format
// characters (a right-to-left override) are written out.
function flat(s: string): string {
  return visible(s.replace(/[\u0000-\u001f\u007f]+/g, ' '));
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Splits at spaces into lines of at most `width` characters (a longer word is split). */
export function wrapText(s: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of s.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (cur) out.push(cur);
      out.push(w.slice(0, width));
      w = w.slice(width);
      cur = '';
    }
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ' ' + w;
    else {
      out.push(cur);
      cur = w;
    }
  }
  out.push(cur);
  return out;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A count Graph did not send is unknown: "?", never 0. */
export function countText(n: number | undefined): string {
  return n === undefined ? '?' : String(n);
}
