/**
 * One benchmark scenario's result file, `bench/results/<scenario>.json`, in the format the
 * README table is made from: the median of the runs at the top level, every run beside it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { round } from './stats';

export const RESULTS_DIR = path.join(__dirname, 'results');

export interface RunFigures {
  livebrief: number;
  floor: number | null;
  ratio: number | null;
}

export interface ScenarioResult extends RunFigures {
  scenario: string;
  title: string;
  command: string;
  metric: string;
  better: 'lower' | 'higher';
  floorName: string | null;
  runs: RunFigures[];
  details: Record<string, unknown>;
  measuredAt: string;
  machine: { cpus: number; node: string; loadAverage: number[] };
}

/** Median of the values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** livebrief / floor of one run, or null without a floor. */
export function runFigures(livebrief: number, floor: number | null): RunFigures {
  return {
    livebrief: round(livebrief),
    floor: floor === null ? null : round(floor),
    ratio: floor === null ? null : round(livebrief / floor, 3),
  };
}

type Head = Omit<ScenarioResult, keyof RunFigures | 'runs' | 'measuredAt' | 'machine'>;

/** The result of `runs`: medians on top (the ratio is the median of the runs' ratios). */
export function scenarioResult(head: Head, runs: RunFigures[]): ScenarioResult {
  const floors = runs.map((run) => run.floor).filter((floor): floor is number => floor !== null);
  const ratios = runs.map((run) => run.ratio).filter((ratio): ratio is number => ratio !== null);
  return {
    ...head,
    livebrief: round(median(runs.map((run) => run.livebrief))),
    floor: floors.length > 0 ? round(median(floors)) : null,
    ratio: ratios.length > 0 ? round(median(ratios), 3) : null,
    runs,
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map((load) => round(load)) },
  };
}

/** Writes `bench/results/<scenario>.json`; returns its path. */
export function writeScenarioResult(result: ScenarioResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${result.scenario}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
