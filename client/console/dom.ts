/** A small element builder: the console is plain DOM, no framework. */

type Child = Node | string | number | null | undefined | false;
type Handler = (event: Event) => void;

export interface Attrs {
  [name: string]: string | number | boolean | Handler | null | undefined;
}

/**
 * h('button', { class: 'primary', onclick: fn, disabled: true }, 'Publish')
 * Attributes named on* become listeners; true adds a boolean attribute, false/null/undefined omit it.
 * Text children are text nodes, so no input is ever parsed as HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else if (typeof value !== 'function') {
      element.setAttribute(name, String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Puts server-rendered entry HTML into an element. The server renders Markdown and
 * sanitizes it on an allowlist (server/render/markdown.ts); this is that same HTML, never
 * anything the browser built from input.
 */
export function setSanitizedHtml(element: Element, html: string): void {
  element.innerHTML = html;
}

/** A modal <dialog>: focus moves into it, Escape closes it, and focus returns where it was. */
export function openDialog(title: string, body: Node, options: { wide?: boolean; onClose?: () => void } = {}): HTMLDialogElement {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const heading = h('h2', { id: `dialog-${Date.now()}` }, title);
  const dialog = h(
    'dialog',
    { class: options.wide ? 'dialog wide' : 'dialog', 'aria-labelledby': heading.id },
    h(
      'header',
      { class: 'dialog-head' },
      heading,
      h('button', { class: 'icon', type: 'button', 'aria-label': 'Close', onclick: () => dialog.close() }, '×'),
    ),
    h('div', { class: 'dialog-body' }, body),
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    options.onClose?.();
    previous?.focus();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks before something that cannot be undone; resolves true only on an explicit yes. */
export function confirmAction(title: string, message: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const body = h(
      'div',
      {},
      h('p', {}, message),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: () => {
              answer = true;
              dialog.close();
            },
          },
          yes,
        ),
        h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
      ),
    );
    const dialog = openDialog(title, body, { onClose: () => resolve(answer) });
  });
}

/** A polite live region: screen readers hear status changes without losing their place. */
export function announce(region: Element, message: string, tone: 'info' | 'ok' | 'error' = 'info'): void {
  region.className = `status ${tone}`;
  region.textContent = message;
}
