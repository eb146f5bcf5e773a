import type { Translator } from '../../shared/i18n';

/** Sharing an entry's link: the system share sheet where there is one, else the clipboard. */
export async function shareEntry(button: HTMLElement, say: (text: string) => void, { t }: Translator): Promise<void> {
  const url = new URL(button.dataset.url ?? '', window.location.href).href;
  const title = button.dataset.title ?? '';
  if (typeof navigator.share === 'function') {
    try {
      await navigator.share({ title, url });
      return;
    } catch (error) {
      // The reader closed the sheet: nothing more to do.
      if (error instanceof DOMException && error.name === 'AbortError') return;
    }
  }
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    say(t('share.link', { url }));
    return;
  }
  const label = button.textContent;
  button.textContent = t('share.copied');
  say(t('share.copied'));
  setTimeout(() => {
    button.textContent = label;
  }, 2000);
}
