/**
 * Limits on what one request can make the server hold, and the contract's page and
 * snapshot sizes. Apart from the zod schemas so that browser code can use them without
 * bundling zod.
 */
export const LIMITS = {
  titleChars: 200,
  summaryChars: 5_000,
  bodyChars: 20_000,
  altChars: 500,
  captionChars: 1_000,
  creditChars: 200,
  sourcesChars: 300,
  urlChars: 2_048,
  mediaPerEntry: 10,
  linksPerEntry: 20,
  embedsPerEntry: 4,
  pageSizeMax: 100,
  pageSizeDefault: 20,
  snapshotEntries: 20,
  /** Key events in a briefing's index (page, GET …/key-events): the newest this many. */
  keyEvents: 200,
} as const;
