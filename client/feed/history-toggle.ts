/**
 * "Updated HH:mm" on the reader's page: opens (or closes) a corrected entry's earlier
 * versions inside it, drawn as its own page draws them. Where they cannot be read, the
 * link's own target (the entry's page, #history) is followed instead.
 */
import type { EntryVersion } from '../../shared/console';
import { renderHistory, type MarkupContext } from '../../shared/feed-markup';
import { toElement } from './markup-element';
import type { BriefingRoutes } from './reader-api';

export async function toggleHistory(link: HTMLElement, routes: BriefingRoutes, ctx: MarkupContext): Promise<void> {
  const article = link.closest<HTMLElement>('article[data-id]');
  if (!article?.dataset.id) return;
  const boxId = `${article.id}-history`;
  const open = article.querySelector(`#${CSS.escape(boxId)}`);
  if (open) {
    open.remove();
    link.setAttribute('aria-expanded', 'false');
    return;
  }
  let markup: ReturnType<typeof renderHistory> = '';
  try {
    const response = await fetch(routes.versions(article.dataset.id));
    if (response.ok)
      markup = renderHistory(((await response.json()) as { versions: EntryVersion[] }).versions, ctx, { id: boxId, level: 4 });
  } catch {
    // unreachable: the entry's own page shows the history instead
  }
  const href = link.getAttribute('href');
  if (markup === '') {
    if (href) window.location.assign(href);
    return;
  }
  if (article.querySelector(`#${CSS.escape(boxId)}`)) return; // a second click while this one loaded
  const box = toElement(markup);
  article.insertBefore(box, article.querySelector('.lb-entry-foot'));
  link.setAttribute('aria-expanded', 'true');
  link.setAttribute('aria-controls', boxId);
  box.querySelector<HTMLElement>('.lb-history-title')?.focus();
}
