/** Markup built with the shared templates (escaped, sanitized) as one DOM element. */
import type { Markup } from '../../shared/html';

export function toElement(markup: Markup): Element {
  const template = document.createElement('template');
  template.innerHTML = markup.value;
  const element = template.content.firstElementChild;
  if (!element) throw new Error('empty markup');
  return element;
}
