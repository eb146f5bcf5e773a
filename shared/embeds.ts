/**
 * Posts and videos from other services inside an entry ("embeds"): which service a URL
 * belongs to, and the address of that service's player for it. Both come from one parse of
 * the URL, so a frame's address is built from the ids found in it, never from the raw text.
 * Shared by the server (which refuses what it does not recognize) and the browser (which
 * builds the frame only when the reader asks for it).
 */
import { LIMITS } from './limits';

/** The stable ids of the services, as stored and served in `embeds[].provider`. */
export const EMBED_PROVIDERS = ['youtube', 'x', 'telegram', 'bluesky', 'instagram', 'facebook', 'tiktok', 'vimeo'] as const;
export type EmbedProvider = (typeof EMBED_PROVIDERS)[number];

/** The services' own names (brands, the same in every language). */
export const PROVIDER_NAMES: Record<EmbedProvider, string> = {
  youtube: 'YouTube',
  x: 'X',
  telegram: 'Telegram',
  bluesky: 'Bluesky',
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
  vimeo: 'Vimeo',
};

/** Every origin a player frame can come from: the pages' CSP `frame-src` lists exactly these. */
export const EMBED_FRAME_ORIGINS = [
  'https://www.youtube-nocookie.com',
  'https://platform.twitter.com',
  'https://t.me',
  'https://embed.bsky.app',
  'https://www.instagram.com',
  'https://www.facebook.com',
  'https://www.tiktok.com',
  'https://player.vimeo.com',
] as const;

/**
 * A frame may run the service's script in its own origin (never ours: it is always another
 * one) and open the post in a new tab; it cannot navigate our page or submit forms.
 */
export const EMBED_SANDBOX = 'allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation';

/** What a recognized URL names: the service and the address of its player for that post. */
export interface EmbedTarget {
  provider: EmbedProvider;
  frameUrl: string;
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const DIGITS = /^\d{1,25}$/;
const HANDLE = /^[A-Za-z0-9_]{1,50}$/;
/** A public channel's name (t.me/c/… is a private one, which has no public post to show). */
const TELEGRAM_CHANNEL = /^[A-Za-z][A-Za-z0-9_]{1,63}$/;
const BLUESKY_ACTOR = /^(?:did:[a-z]+:[A-Za-z0-9._:%-]{1,200}|[A-Za-z0-9.-]{1,253})$/;
const BLUESKY_RKEY = /^[A-Za-z0-9._:~-]{1,512}$/;
const INSTAGRAM_CODE = /^[A-Za-z0-9_-]{1,64}$/;
const FACEBOOK_NAME = /^[A-Za-z0-9.\-_]{1,100}$/;
const FACEBOOK_POST = /^[A-Za-z0-9_-]{1,100}$/;
const FB_WATCH_CODE = /^[A-Za-z0-9_-]{1,40}$/;

/** The host is the service's domain itself, or its www. or m. name: never a look-alike. */
function onHost(url: URL, domain: string): boolean {
  return url.hostname === domain || url.hostname === `www.${domain}` || url.hostname === `m.${domain}`;
}

/** The path's non-empty segments, decoded no further than the URL parser left them. */
function segments(url: URL): string[] {
  return url.pathname.split('/').filter((part) => part !== '');
}

function youtube(url: URL): string | null {
  let id: string | undefined;
  if (onHost(url, 'youtu.be')) {
    const parts = segments(url);
    if (parts.length === 1) id = parts[0];
  } else if (onHost(url, 'youtube.com')) {
    const parts = segments(url);
    if (parts.length === 1 && parts[0] === 'watch') id = url.searchParams.get('v') ?? undefined;
    else if (parts.length === 2 && ['shorts', 'live', 'embed'].includes(parts[0] ?? '')) id = parts[1];
  }
  return id && YOUTUBE_ID.test(id) ? `https://www.youtube-nocookie.com/embed/${id}` : null;
}

function x(url: URL): string | null {
  if (!onHost(url, 'x.com') && !onHost(url, 'twitter.com')) return null;
  const [user, status, id, ...rest] = segments(url);
  if (!user || !HANDLE.test(user) || status !== 'status' || !id || !DIGITS.test(id)) return null;
  // A status link may go on to /photo/1 or /video/1; nothing else.
  if (rest.length > 0 && !(rest.length === 2 && ['photo', 'video'].includes(rest[0] ?? '') && DIGITS.test(rest[1] ?? ''))) return null;
  return `https://platform.twitter.com/embed/Tweet.html?id=${id}`;
}

function telegram(url: URL): string | null {
  if (!onHost(url, 't.me')) return null;
  const parts = segments(url);
  // t.me/s/<channel>/<id> is the same post in the channel's web preview.
  const [channel, id, ...rest] = parts[0] === 's' ? parts.slice(1) : parts;
  if (!channel || !TELEGRAM_CHANNEL.test(channel) || !id || !DIGITS.test(id) || rest.length > 0) return null;
  return `https://t.me/${channel}/${id}?embed=1`;
}

function bluesky(url: URL): string | null {
  if (!onHost(url, 'bsky.app')) return null;
  const [profile, actor, post, id, ...rest] = segments(url);
  if (profile !== 'profile' || post !== 'post' || rest.length > 0) return null;
  if (!actor || !BLUESKY_ACTOR.test(actor) || !id || !BLUESKY_RKEY.test(id)) return null;
  return `https://embed.bsky.app/embed/${actor}/app.bsky.feed.post/${id}`;
}

function instagram(url: URL): string | null {
  if (!onHost(url, 'instagram.com')) return null;
  const [kind, code, ...rest] = segments(url);
  if (!['p', 'reel', 'reels', 'tv'].includes(kind ?? '') || !code || !INSTAGRAM_CODE.test(code) || rest.length > 0) return null;
  return `https://www.instagram.com/p/${code}/embed`;
}

function facebook(url: URL): string | null {
  const plugin = (kind: 'post' | 'video', href: string): string =>
    `https://www.facebook.com/plugins/${kind}.php?href=${encodeURIComponent(href)}&show_text=true`;
  if (onHost(url, 'fb.watch')) {
    const [code, ...rest] = segments(url);
    return code && FB_WATCH_CODE.test(code) && rest.length === 0 ? plugin('video', `https://fb.watch/${code}/`) : null;
  }
  if (!onHost(url, 'facebook.com')) return null;
  const parts = segments(url);
  const [first, second, third, ...rest] = parts;
  if (parts.length === 1 && first === 'watch') {
    const id = url.searchParams.get('v') ?? '';
    return DIGITS.test(id) ? plugin('video', `https://www.facebook.com/watch/?v=${id}`) : null;
  }
  if (parts.length === 2 && first === 'reel' && second && DIGITS.test(second)) {
    return plugin('video', `https://www.facebook.com/reel/${second}`);
  }
  // The share links the app copies: /share/p/… a post, /share/v/… and /share/r/… a video or reel.
  if (
    parts.length === 3 &&
    first === 'share' &&
    (second === 'p' || second === 'v' || second === 'r') &&
    third &&
    FB_WATCH_CODE.test(third)
  ) {
    return plugin(second === 'p' ? 'post' : 'video', `https://www.facebook.com/share/${second}/${third}/`);
  }
  if (first && FACEBOOK_NAME.test(first) && second && third && FACEBOOK_POST.test(third) && rest.length === 0) {
    if (second === 'posts') return plugin('post', `https://www.facebook.com/${first}/posts/${third}`);
    if (second === 'videos' && DIGITS.test(third)) return plugin('video', `https://www.facebook.com/${first}/videos/${third}`);
  }
  return null;
}

function tiktok(url: URL): string | null {
  if (!onHost(url, 'tiktok.com')) return null;
  const [user, video, id, ...rest] = segments(url);
  if (!user?.startsWith('@') || !/^@[A-Za-z0-9._]{1,50}$/.test(user) || video !== 'video' || !id || !DIGITS.test(id) || rest.length > 0)
    return null;
  return `https://www.tiktok.com/embed/v2/${id}`;
}

function vimeo(url: URL): string | null {
  if (!onHost(url, 'vimeo.com')) return null;
  const [id, ...rest] = segments(url);
  return id && DIGITS.test(id) && rest.length === 0 ? `https://player.vimeo.com/video/${id}` : null;
}

const RECOGNIZERS: Record<EmbedProvider, (url: URL) => string | null> = {
  youtube,
  x,
  telegram,
  bluesky,
  instagram,
  facebook,
  tiktok,
  vimeo,
};

/**
 * The service a post's URL belongs to and its player's address, or null when the URL is
 * not an https link (without credentials or an unusual port) to a post of a known service.
 */
export function recognizeEmbed(text: string): EmbedTarget | null {
  if (text.length > LIMITS.urlChars) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') return null;
  for (const provider of EMBED_PROVIDERS) {
    const frameUrl = RECOGNIZERS[provider](url);
    if (frameUrl) return { provider, frameUrl };
  }
  return null;
}
