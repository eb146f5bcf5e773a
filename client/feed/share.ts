/** Sharing an entry's link: the system share sheet where there is one, else the clipboard. */
export async function shareEntry(button: HTMLElement, say: (text: string) => void): Promise<void> {
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
    say(`Link to this update: ${url}`);
    return;
  }
  const label = button.textContent;
  button.textContent = 'Link copied';
  say('Link copied');
  setTimeout(() => {
    button.textContent = label;
  }, 2000);
}
