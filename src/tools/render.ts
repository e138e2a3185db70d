// Small plain-text tables: readable in any chat client, and cheap in tokens.

export function table(headers: readonly string[], rows: readonly (readonly (string | number | undefined)[])[], maxCell = 40): string {
  const cells = rows.map((r) => r.map((c) => clip(c === undefined ? '' : String(c), maxCell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

function clip(s: string, max: number): string {
  // Control characters from tenant data must not break the table or smuggle instructions across lines.
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}
