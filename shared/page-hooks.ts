/**
 * The elements the live feed script finds by name, in the briefing page the server renders
 * and in the embed's shadow root: their `data-lb` attribute. Both markups and the script
 * use these, so a name cannot go missing from one side only.
 */
import { trusted, type Markup } from './html';

export const FEED_HOOKS = [
  'badge',
  'connection',
  'title',
  'zone',
  'summary-box',
  'summary',
  'key-events-box',
  'key-events',
  'pinned',
  'reveal',
  'feed',
  'empty',
  'older',
  'announce',
] as const;
export type FeedHook = (typeof FEED_HOOKS)[number];

/** The attribute naming an element as `name`, for markup built with `html`. */
export function feedHook(name: FeedHook): Markup {
  return trusted(`data-lb="${name}"`);
}

/** The selector of the element named `name`. */
export function feedHookSelector(name: FeedHook): string {
  return `[data-lb="${name}"]`;
}

/** Marks our own /embed/:slug page, where the embed reports its height to the parent frame. */
export const FRAME_ATTRIBUTE = 'data-lb-frame';
