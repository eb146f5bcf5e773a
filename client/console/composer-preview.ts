/**
 * The composer's preview: the entry as readers will see it, its text rendered by the
 * server's own Markdown renderer and sanitizer, redrawn a moment after typing stops.
 */
import * as api from './api';
import { embedLines, payloadOf, type ComposerFields } from './composition';
import { recognizeEmbed } from '../../shared/embeds';
import { h, replace } from './dom';
import { entryContent } from './entry-card';

export class Preview {
  readonly element = h('div', { class: 'preview-body entry' });
  private timer: number | undefined;
  /** The number of the latest request. */
  private latest = 0;

  /** `fields`: what the composer holds when the preview is drawn. */
  constructor(private readonly fields: () => ComposerFields) {}

  /** Shows the fields as they are after `delayMs` without another change. */
  schedule(delayMs = 200): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.render(), delayMs);
  }

  private async render(): Promise<void> {
    const fields = this.fields();
    const request = ++this.latest;
    if (!fields.body.trim() && !fields.title.trim()) {
      replace(this.element, h('p', { class: 'empty' }, 'The entry will appear here as readers will see it.'));
      return;
    }
    try {
      const { html } = await api.preview({ body: fields.body });
      // An answer to an older request arrives late: a newer one draws the preview.
      if (request !== this.latest) return;
      const payload = payloadOf(fields);
      replace(
        this.element,
        h(
          'div',
          { class: 'entry-meta' },
          fields.keyEvent ? h('span', { class: 'badge key' }, 'Key event') : null,
          fields.pinned ? h('span', { class: 'badge pin' }, 'Pinned') : null,
        ),
        entryContent({
          title: fields.title.trim() || null,
          html,
          media: payload.media.filter((item) => /^https?:\/\//.test(item.url)).map((item) => ({ ...item, kind: 'image' as const })),
          links: payload.links.filter((link) => /^https?:\/\//.test(link.url)),
          sources: fields.sources.trim() || null,
          embeds: embedLines(fields.embeds).map((url) => ({ url, provider: recognizeEmbed(url)?.provider ?? null })),
        }),
      );
    } catch {
      // The preview is a convenience: the composer keeps working without it.
    }
  }
}
