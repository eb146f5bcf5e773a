/**
 * One briefing in the console, wired together: the header, the composer, the queue and
 * the live feed, fed by the reader's own feed connection and by the console namespace
 * (who else has the briefing open, and when the queue changed).
 */
import { io, type Socket } from 'socket.io-client';
import { applyChange, viewFromSnapshot, type ApplyResult, type FeedView } from '../../shared/apply-change';
import {
  canEdit,
  CONSOLE_FEED_QUERY,
  CONSOLE_NAMESPACE,
  type ConsoleClientEvents,
  type ConsoleServerEvents,
  type PresenceAck,
  type PresentEditor,
  type PublicUser,
} from '../../shared/console';
import { LIMITS } from '../../shared/limits';
import type { Change } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import { FeedConnection, type ConnectionState } from '../feed/connection';
import { Composer } from './composer';
import { h, replace } from './dom';
import { FeedPanel } from './feed-panel';
import { QueuePanel } from './queue-panel';
import { WorkspaceHeader } from './workspace-header';

type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;

export class Workspace {
  readonly root = h('div', { class: 'workspace' });
  private readonly consoleSocket: ConsoleSocket;
  /** The feed as readers see it: subscribed and folded exactly as on a reader's page. */
  private readonly feed: FeedConnection;
  private readonly composer: Composer;
  private readonly header: WorkspaceHeader;
  private readonly queuePanel: QueuePanel;
  private readonly feedPanel: FeedPanel;
  private view: FeedView | null = null;
  /** The feed's last subscribe was refused, and the status line says so. */
  private feedRefused = false;
  private present: PresentEditor[] = [];
  private readonly presenceBar = h('div', { class: 'presence', 'aria-live': 'polite' });

  constructor(
    readonly slug: string,
    private readonly user: PublicUser,
  ) {
    const editor = canEdit(user.role);
    this.consoleSocket = io(CONSOLE_NAMESPACE, { transports: ['websocket'] });
    this.composer = new Composer({
      slug,
      user,
      briefing: () => this.view?.briefing ?? null,
      setEditing: (id) => this.consoleSocket.emit('editing', { slug, editing: id }, (ack) => this.takePresence(ack)),
      onSent: () => void this.queuePanel.load(),
    });
    this.feedPanel = new FeedPanel({
      slug,
      userId: user.id,
      editor,
      view: () => this.view,
      time: () => this.time,
      showView: (view) => this.showView(view, null),
      startEdit: (entry) => this.composer.startEdit(entry),
    });
    const report = (message: string, tone: 'ok' | 'error'): void => this.feedPanel.announce(message, tone);
    this.header = new WorkspaceHeader(slug, editor, report);
    this.queuePanel = new QueuePanel({
      slug,
      editor,
      time: () => this.time,
      openDraft: (draft) => this.composer.openDraft(draft),
      startEdit: (entry) => this.composer.startEdit(entry),
      report,
    });
    this.feed = new FeedConnection({
      origin: '',
      slug,
      query: CONSOLE_FEED_QUERY,
      sink: {
        cursor: () => (this.view ? { epoch: this.view.epoch, seq: this.view.seq } : null),
        reset: (epoch, seq, snapshot) => this.showView(viewFromSnapshot(epoch, seq, snapshot, LIMITS.snapshotEntries), null),
        apply: (change) => this.foldChange(change),
        connectionState: (state) => this.setConnection(state),
        refused: (message) => {
          this.feedRefused = true;
          this.feedPanel.announce(message, 'error');
        },
      },
    });
  }

  get time(): TimeFormat {
    const briefing = this.view?.briefing;
    return new TimeFormat(briefing?.locale ?? 'en', undefined, briefing?.timeZone ?? 'UTC');
  }

  start(): void {
    replace(
      this.root,
      this.header.root,
      this.presenceBar,
      h('div', { class: 'workspace-grid' }, this.composer.root, h('div', { class: 'side' }, this.queuePanel.root, this.feedPanel.root)),
    );
    this.header.draw(null);
    this.header.start();
    this.consoleSocket.on('connect', () =>
      this.consoleSocket.emit('join', { slug: this.slug }, (ack) => {
        this.takePresence(ack);
        const editing = this.composer.editingEntryId;
        if (editing) this.consoleSocket.emit('editing', { slug: this.slug, editing }, (next) => this.takePresence(next));
      }),
    );
    this.consoleSocket.on('presence', (update) => {
      if (update.slug === this.slug) this.setPresence(update.present);
    });
    this.consoleSocket.on('queue', (update) => {
      if (update.slug === this.slug) void this.queuePanel.load();
    });
    this.feed.start();
    void this.queuePanel.load();
  }

  stop(): void {
    this.header.stop();
    this.feed.close();
    this.consoleSocket.emit('leave', { slug: this.slug });
    this.consoleSocket.disconnect();
  }

  private setConnection(state: ConnectionState): void {
    // Polling (no WebSocket through some proxies) keeps the feed current too, only less often.
    const live = state === 'live' || state === 'polling';
    this.header.setConnected(live);
    if (live && this.feedRefused) {
      this.feedRefused = false;
      this.feedPanel.announce('');
    }
  }

  private takePresence(ack: PresenceAck): void {
    if (ack.ok) this.setPresence(ack.present);
  }

  private setPresence(present: PresentEditor[]): void {
    this.present = present;
    this.composer.setPresence(present);
    const others = present.filter((person) => person.userId !== this.user.id);
    replace(
      this.presenceBar,
      h('span', { class: 'label' }, others.length === 0 ? 'Only you are here' : 'Also here:'),
      ...others.map((person) =>
        h(
          'span',
          { class: person.editing ? 'person editing' : 'person', title: person.role },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, person.name.slice(0, 1).toUpperCase()),
          person.name,
          person.editing ? h('span', { class: 'doing' }, ' · editing') : null,
        ),
      ),
    );
    if (this.view) this.feedPanel.draw(this.view, present);
  }

  private foldChange(change: Change): ApplyResult['status'] {
    if (!this.view) return 'gap';
    const result = applyChange(this.view, change);
    if (result.status === 'applied') this.showView(result.view, change);
    return result.status;
  }

  private showView(view: FeedView, change: Change | null): void {
    // A scheduled entry that went out leaves the queue.
    if (change?.type === 'entry.published' && this.queuePanel.queue.scheduled.some((entry) => entry.id === change.entry.id))
      void this.queuePanel.load();
    const briefingChanged = JSON.stringify(this.view?.briefing) !== JSON.stringify(view.briefing);
    this.view = view;
    if (briefingChanged) {
      this.header.draw(view.briefing);
      // Times in the queue follow the briefing's zone.
      this.queuePanel.draw();
    }
    this.feedPanel.draw(view, this.present);
    this.feedPanel.announce('');
  }
}
