/**
 * How slugs and ids are spelled wherever they stand: the API's paths and input, the
 * readers' socket, the embed's `slug` attribute, the console's routes. Apart from the zod
 * schemas so that browser code can use them without bundling zod.
 */

/** A briefing's slug, unanchored (for an HTML `pattern`, or inside a longer pattern): 1-64 lowercase letters, digits or hyphens, starting with a letter or digit. */
export const SLUG_SOURCE = '[a-z0-9][a-z0-9-]{0,63}';

/** Ids of entries, drafts and accounts as they stand in paths and messages, unanchored: URL-safe, 1-64 characters. */
export const ID_SOURCE = '[A-Za-z0-9_-]{1,64}';

export const SLUG_PATTERN = new RegExp(`^${SLUG_SOURCE}$`);

export const ID_PATTERN = new RegExp(`^${ID_SOURCE}$`);
