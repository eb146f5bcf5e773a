/**
 * "Show post": the one moment a provider's content loads. The frame's address is built
 * again from the card's link (by the same parse the server recognized it with), so a card's
 * attributes never decide what is loaded, and it runs sandboxed.
 */
import { EMBED_SANDBOX, PROVIDER_NAMES, recognizeEmbed } from '../../shared/embeds';
import type { Translator } from '../../shared/i18n';

export function showPost(button: HTMLElement, i18n: Translator): void {
  const card = button.closest<HTMLElement>('.lb-post');
  const link = card?.querySelector<HTMLAnchorElement>('a.lb-post-link');
  const target = link ? recognizeEmbed(link.href) : null;
  const consent = button.closest('.lb-post-consent');
  if (!card || !target || !consent) return;
  const frame = document.createElement('iframe');
  frame.className = `lb-post-frame lb-post-frame--${target.provider}`;
  frame.title = i18n.t('post.label', { provider: PROVIDER_NAMES[target.provider] });
  frame.setAttribute('sandbox', EMBED_SANDBOX);
  frame.allow = 'encrypted-media; picture-in-picture; fullscreen';
  frame.allowFullscreen = true;
  // Players refuse to play without knowing which site embeds them; the origin is all they get.
  frame.referrerPolicy = 'strict-origin-when-cross-origin';
  frame.src = target.frameUrl;
  consent.replaceWith(frame);
  // The button is gone: the reader's focus goes to what it opened.
  frame.focus();
}
