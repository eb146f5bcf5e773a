/**
 * The wire's types kept honest. The functions below are never called: `npm run typecheck`
 * compiles them, and each `@ts-expect-error` fails that check the day its line compiles,
 * that is the day the Socket.IO event maps or the Change union accept a payload they
 * should refuse. The tests at the end hold the zod schema the Change type is inferred from
 * to the same examples, so what compiles and what the schema accepts agree.
 */
import type { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import type { ConsoleClientEvents, ConsoleServerEvents } from '../../shared/console';
import type { ErrorCode } from '../../shared/errors';
import {
  changeSchema,
  type Briefing,
  type Change,
  type ClientToServerEvents,
  type Entry,
  type ServerToClientEvents,
} from '../../shared/schemas';

type ReaderClient = Socket<ServerToClientEvents, ClientToServerEvents>;
type ReaderServer = Server<ClientToServerEvents, ServerToClientEvents>;
type ConsoleClient = Socket<ConsoleServerEvents, ConsoleClientEvents>;

const HEAD = { slug: 's', epoch: 'e1', seq: 1, at: '2026-01-01T10:00:00.000Z' };

const BRIEFING: Briefing = {
  slug: 's',
  title: 'Title',
  summary: '',
  status: 'live',
  locale: 'en',
  timeZone: 'UTC',
  createdAt: '2026-01-01T09:00:00.000Z',
  updatedAt: '2026-01-01T09:00:00.000Z',
  epoch: 'e1',
  seq: 1,
};

const ENTRY: Entry = {
  id: 'a',
  slug: 's',
  version: 1,
  publishedAt: '2026-01-01T10:00:00.000Z',
  updatedAt: null,
  author: { id: 'u', name: 'U' },
  title: null,
  body: 'Body',
  html: '<p>Body</p>',
  keyEvent: false,
  pinned: false,
  media: [],
  links: [],
  sources: null,
  embeds: [],
};

// ---------- the Change union ----------

export function changeShapes(change: Change): void {
  const published: Change = { ...HEAD, type: 'entry.published', entry: ENTRY };
  const deleted: Change = { ...HEAD, type: 'entry.deleted', id: 'a' };
  const renamed: Change = { ...HEAD, type: 'briefing.updated', briefing: BRIEFING };
  void [published, deleted, renamed];

  // @ts-expect-error a published change carries its entry
  const noEntry: Change = { ...HEAD, type: 'entry.published' };
  // @ts-expect-error a deletion carries the id, not the entry
  const deletedWithEntry: Change = { ...HEAD, type: 'entry.deleted', entry: ENTRY };
  // @ts-expect-error a briefing change carries the briefing, not an id
  const briefingById: Change = { ...HEAD, type: 'briefing.updated', id: 's' };
  // @ts-expect-error no such kind of change
  const unknownType: Change = { ...HEAD, type: 'entry.exploded', entry: ENTRY };
  void [noEntry, deletedWithEntry, briefingById, unknownType];

  // @ts-expect-error only some changes carry an entry: narrow on type first
  void change.entry;
  switch (change.type) {
    case 'entry.published':
    case 'entry.updated':
      void change.entry.id;
      // @ts-expect-error an entry change has no id of its own
      void change.id;
      break;
    case 'entry.deleted':
      void change.id.length;
      break;
    case 'briefing.updated':
      void change.briefing.title;
      break;
    default: {
      const none: never = change;
      void none;
    }
  }
}

// ---------- the readers' event maps ----------

export function readerClientEvents(client: ReaderClient): void {
  client.emit('subscribe', { slug: 's', since: { epoch: 'e1', seq: 3 } }, (ack) => {
    if (ack.ok) {
      // @ts-expect-error only a snapshot ack carries a snapshot
      void ack.snapshot;
      if (ack.mode === 'snapshot') void ack.snapshot.entries;
    } else {
      const code: ErrorCode = ack.error.code;
      void code;
    }
  });
  client.emit('unsubscribe', { slug: 's' });

  // @ts-expect-error the slug is a string
  client.emit('subscribe', { slug: 1 }, () => undefined);
  // @ts-expect-error a cursor has a numeric seq
  client.emit('subscribe', { slug: 's', since: { epoch: 'e1', seq: '3' } }, () => undefined);
  // @ts-expect-error a subscribe is always answered, so it needs its ack
  client.emit('subscribe', { slug: 's' });
  // @ts-expect-error readers send nothing else
  client.emit('publish', { slug: 's', body: 'x' });

  client.on('change', (change) => {
    const typed: Change = change;
    void typed;
  });
  // @ts-expect-error a change is not a briefing
  client.on('change', (briefing: Briefing) => void briefing.title);
  // @ts-expect-error the server sends no such event
  client.on('changes', () => undefined);
}

export function readerServerEvents(server: ReaderServer, change: Change): void {
  server.to('s').emit('change', change);
  // @ts-expect-error a change is a whole Change
  server.to('s').emit('change', { slug: 's', seq: 1 });
  // @ts-expect-error the server emits no such event to readers
  server.emit('presence', { slug: 's', present: [] });

  server.on('connection', (socket) => {
    socket.on('subscribe', (_request, ack) => {
      ack({ ok: true, mode: 'resume', epoch: 'e1', seq: 3 });
      ack({ ok: false, error: { code: 'not_found', message: 'no briefing "s"' } });
      // @ts-expect-error refusals use the error catalogue's codes
      ack({ ok: false, error: { code: 'nope', message: 'x' } });
      // @ts-expect-error a snapshot ack carries the snapshot
      ack({ ok: true, mode: 'snapshot', epoch: 'e1', seq: 3 });
    });
    socket.on('unsubscribe', (_request, ack) => {
      ack?.({ ok: true });
      // @ts-expect-error refusals use the error catalogue's codes
      ack?.({ ok: false, error: { code: 'bad', message: 'x' } });
    });
  });
}

// ---------- the console's event maps ----------

export function consoleEvents(client: ConsoleClient): void {
  client.emit('join', { slug: 's' }, (ack) => {
    if (!ack.ok) {
      const code: ErrorCode = ack.error.code;
      void code;
    }
  });
  // @ts-expect-error editing names an entry id or null
  client.emit('editing', { slug: 's', editing: 3 }, () => undefined);
  client.on('queue', (update) => void update.slug);
  // @ts-expect-error the console namespace sends no change events
  client.on('change', () => undefined);
}

// ---------- the schema the Change type is inferred from ----------

describe('changeSchema', () => {
  /** One change of every type: a type added to the union and missing here does not compile. */
  const valid: { [Type in Change['type']]: Change & { type: Type } } = {
    'entry.published': { ...HEAD, type: 'entry.published', entry: ENTRY },
    'entry.updated': { ...HEAD, type: 'entry.updated', entry: { ...ENTRY, version: 2 } },
    'entry.deleted': { ...HEAD, type: 'entry.deleted', id: 'a' },
    'briefing.updated': { ...HEAD, type: 'briefing.updated', briefing: BRIEFING },
  };

  test('accepts one change of every type, keeping the JSON as it is', () => {
    for (const change of Object.values(valid)) expect(changeSchema.parse(change)).toEqual(change);
  });

  test('refuses what the Change type refuses', () => {
    const invalid: unknown[] = [
      { ...HEAD, type: 'entry.published' },
      { ...HEAD, type: 'entry.deleted', entry: ENTRY },
      { ...HEAD, type: 'briefing.updated', id: 's' },
      { ...HEAD, type: 'entry.exploded', entry: ENTRY },
    ];
    for (const payload of invalid)
      expect({ payload, accepted: changeSchema.safeParse(payload).success }).toEqual({ payload, accepted: false });
  });
});
