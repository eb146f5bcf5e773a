/** Benchmark settings from the environment: whole numbers within bounds, or the default. */

export function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  return boundedInt(name, raw, min, max);
}

/** A comma-separated list of whole numbers, each within the bounds. */
export function intListFromEnv(name: string, fallback: readonly number[], min: number, max: number): number[] {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return [...fallback];
  return raw.split(',').map((item) => boundedInt(name, item.trim(), min, max));
}

function boundedInt(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, not "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max}, not ${value}`);
  return value;
}
