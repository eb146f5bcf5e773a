/**
 * Result files in the shared format (`bench/results/<scenario>.json`, one per scenario, by
 * whichever benchmark measured it) and the markdown table built from all of them.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { round } from '../stats';

export const RESULTS_DIR = path.join(__dirname, '..', 'results');
export const TABLE_FILE = 'table.md';

const figure = z.number().nullable();

export const resultSchema = z.object({
  scenario: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string(),
  command: z.string(),
  metric: z.string(),
  better: z.enum(['lower', 'higher']),
  /** Medians over the runs. */
  livebrief: figure,
  floor: figure,
  ratio: figure,
  floorName: z.string().nullable().optional(),
  runs: z.array(z.object({ livebrief: figure, floor: figure, ratio: figure }).catchall(z.unknown())),
  details: z.record(z.string(), z.unknown()),
  measuredAt: z.string(),
  machine: z.object({ cpus: z.number(), node: z.string() }).catchall(z.unknown()),
});
export type ScenarioResult = z.infer<typeof resultSchema>;

export function machine(): ScenarioResult['machine'] {
  return { cpus: cpus().length, node: process.version, cpuModel: cpus()[0]?.model.trim() ?? null };
}

/** livebrief / floor, or null when either is missing or the floor is 0. */
export function ratioOf(livebrief: number | null, floor: number | null): number | null {
  return livebrief === null || floor === null || floor === 0 ? null : round(livebrief / floor, 3);
}

export type Run = ScenarioResult['runs'][number];

/** One run's figures: livebrief's, the floor's (null where there is none) and their ratio. */
export function runOf(livebrief: number, floor: number | null): Run {
  return { livebrief: round(livebrief), floor: floor === null ? null : round(floor), ratio: ratioOf(livebrief, floor) };
}

/** A result from its runs: the top-level figures are the medians over the runs (the ratio: of the per-run ratios). */
export function resultOf(
  fields: Pick<ScenarioResult, 'scenario' | 'title' | 'command' | 'metric' | 'better' | 'details'> & { floorName: string | null },
  runs: Run[],
): ScenarioResult {
  const medianOf = (pick: (run: Run) => number | null): number | null => median(runs.map((run) => pick(run) ?? Number.NaN));
  return {
    ...fields,
    livebrief: medianOf((run) => run.livebrief),
    floor: medianOf((run) => run.floor),
    ratio: medianOf((run) => run.ratio),
    runs,
    details: { ...fields.details, ratioIs: 'median of the per-run ratios (livebrief / floor)' },
    measuredAt: new Date().toISOString(),
    machine: machine(),
  };
}

/** The median of the finite values (the mean of the middle two for an even count); null when none. */
export function median(values: readonly number[]): number | null {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return value === undefined ? null : round(value, 3);
}

export function writeResult(result: ScenarioResult, dir = RESULTS_DIR): string {
  const checked = resultSchema.parse(result);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${checked.scenario}.json`);
  writeFileSync(file, `${JSON.stringify(checked, null, 2)}\n`);
  return file;
}

/** Every file in `dir` that is a result in the shared format (others, e.g. bench:publish's, are left out). */
export function readResults(dir = RESULTS_DIR): ScenarioResult[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const results: ScenarioResult[] = [];
  for (const name of names) {
    try {
      const parsed = resultSchema.safeParse(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown);
      if (parsed.success) results.push(parsed.data);
    } catch {
      // not JSON: not a result file
    }
  }
  return results;
}

/** The suite's scenarios in reading order; others (from other benchmarks) follow by name. */
const ORDER = ['fanout-', 'publish-rate', 'idle-memory', 'join-storm', 'resume-storm', 'reader-page', 'keystroke-to-pixel'];

function rank(scenario: string): number {
  const index = ORDER.findIndex((prefix) => scenario.startsWith(prefix));
  return index < 0 ? ORDER.length : index;
}

function cell(value: number | null): string {
  if (value === null) return '–';
  return Math.abs(value) >= 100 ? String(Math.round(value)) : String(round(value, 2));
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A markdown table of the results: scenario, metric, both figures, their ratio, the command. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const sorted = [...results].sort(
    (a, b) => rank(a.scenario) - rank(b.scenario) || a.scenario.localeCompare(b.scenario, 'en', { numeric: true }),
  );
  const lines = ['| scenario | metric | livebrief | bare Socket.IO / bare Express | ratio | command |', '|---|---|---:|---:|---:|---|'];
  for (const result of sorted) {
    const target = result.details.target;
    const floor =
      result.floor === null && (typeof target === 'string' || typeof target === 'number') ? `target ${target}` : cell(result.floor);
    const ratio = result.ratio === null ? '–' : `${cell(result.ratio)}×`;
    lines.push(
      `| ${escape(result.title)} | ${escape(result.metric)} (${result.better} is better) | ${cell(result.livebrief)} | ${escape(floor)} | ${ratio} | \`${escape(result.command)}\` |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes bench/results/table.md from every result file there; returns its path. */
export function writeTable(dir = RESULTS_DIR): string {
  const file = path.join(dir, TABLE_FILE);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, renderTable(readResults(dir)));
  return file;
}
