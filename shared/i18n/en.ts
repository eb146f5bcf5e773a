/**
 * The English interface catalogue: every word the reader's pages, the widget, the Atom feed
 * and the connection line show. It is the reference: its keys are the catalogue's keys, and
 * any key another catalogue lacks is shown in English.
 */
import type { Message } from './messages';

export const en = {
  'badge.live': 'Live',
  'badge.ended': 'Ended',
  'entry.keyEvent': 'Key event',
  'entry.pinned': 'Pinned',
  'entry.updated': 'Updated {time}',
  'entry.seeAlso': 'See also',
  'entry.share': 'Share',
  'feed.newUpdates': { one: '{count} new update', other: '{count} new updates' },
  'connection.connecting': 'Connecting…',
  'connection.live': 'Updating live',
  'connection.polling': 'Updating every few seconds',
  'connection.reconnecting': 'Reconnecting…',
  'connection.offline': 'Offline: updates resume when you are back online',
  // ended coverage and correction history
  'connection.ended': 'Coverage has ended',
  'entry.updatedHistory': 'See earlier versions',
  'history.title': 'Earlier versions',
  'history.intro': {
    one: 'This update was corrected once. Here is what it said before.',
    other: 'This update was corrected {count} times. Here is what it said before, newest first.',
  },
  'history.published': 'As first published at {time}',
  'history.corrected': 'As corrected at {time}',
  'history.changedNext': 'Changed afterwards: {fields}',
  'history.field.title': 'title',
  'history.field.text': 'text',
  'history.field.media': 'images',
  'history.field.links': 'links',
  'history.field.sources': 'sources',
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;
