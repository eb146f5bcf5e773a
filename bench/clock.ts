/**
 * One clock for every thread of the benchmark: milliseconds (with sub-microsecond
 * resolution) on the monotonic system clock (process.hrtime), counted from a base the main
 * thread picks. Reader threads get the same base, so their arrival times and the
 * publisher's request times are directly comparable.
 */
export type Clock = () => number;

export function makeClock(baseNs: bigint): Clock {
  return () => Number(process.hrtime.bigint() - baseNs) / 1e6;
}
