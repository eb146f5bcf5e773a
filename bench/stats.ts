/** Percentile summaries and the plain-text table the benchmark prints. */

export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/** p50/p95/p99/max of the samples, or null when there are none. */
export function summarize(values: ArrayLike<number>): Summary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    mean: round(total / sorted.length),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface Row {
  label: string;
  unit: string;
  summary: Summary | null;
}

const COLUMNS = ['n', 'p50', 'p95', 'p99', 'max', 'mean'] as const;

/** An aligned text table: one row per figure, columns n, p50, p95, p99, max, mean. */
export function formatTable(title: string, rows: readonly Row[]): string {
  const header = ['figure', 'unit', ...COLUMNS];
  const body = rows.map((row) => [
    row.label,
    row.unit,
    ...COLUMNS.map((column) => (row.summary ? formatNumber(row.summary[column], column === 'n') : '-')),
  ]);
  return formatGrid(title, header, body, 2);
}

/** An aligned text grid with a title line; the first `leftColumns` are left-aligned, the rest right. */
export function formatGrid(title: string, header: readonly string[], body: readonly (readonly string[])[], leftColumns = 1): string {
  const all = [header, ...body];
  const widths = header.map((_, index) => Math.max(...all.map((line) => (line[index] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line
      .map((cell, index) => (index < leftColumns ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [title, rule, render(header), rule, ...body.map(render), rule].join('\n');
}

export function formatNumber(value: number, integer = false): string {
  if (!Number.isFinite(value)) return '-';
  return integer ? String(Math.round(value)) : value.toFixed(2);
}
