/**
 * Uploaded images: how their id, renditions and URLs are named. The id carries the
 * intrinsic size (`<hash>-<width>x<height>`), so the markup (pure, shared with the
 * browser) can build `srcset`, `width` and `height` from the URL alone.
 */

/** Widths the renditions are made at; an image narrower than one is never upscaled. */
export const RENDITION_WIDTHS = [480, 960, 1600] as const;
const LARGEST_WIDTH = RENDITION_WIDTHS[2];

/** Formats of every rendition, best first; JPEG is the fallback `<img src>`. */
export const MEDIA_FORMATS = [
  { format: 'avif', extension: 'avif', type: 'image/avif' },
  { format: 'webp', extension: 'webp', type: 'image/webp' },
  { format: 'jpeg', extension: 'jpg', type: 'image/jpeg' },
] as const;
export type MediaFormat = (typeof MEDIA_FORMATS)[number]['format'];

export const MEDIA_ID_PATTERN = /^[0-9a-f]{32}-[1-9]\d{0,4}x[1-9]\d{0,4}$/;
/** A rendition's file name inside its id's folder. */
export const MEDIA_FILE_PATTERN = /^([1-9]\d{0,4})\.(avif|webp|jpg)$/;
/** Our own media URL, absolute or not: what comes before `/media/` is kept for the other renditions. */
const MEDIA_URL_PATTERN = /^(.*\/media\/)([0-9a-f]{32}-([1-9]\d{0,4})x([1-9]\d{0,4}))\/[1-9]\d{0,4}\.(?:avif|webp|jpg)$/;

export interface MediaRendition {
  width: number;
  height: number;
  format: MediaFormat;
  url: string;
}

/** What an upload answers. `url` is the JPEG fallback (the largest rendition). */
export interface UploadedMedia {
  id: string;
  url: string;
  width: number;
  height: number;
  renditions: MediaRendition[];
}

/** The widths an image of this intrinsic width is stored at: the standard ones below it, and it (capped at the largest). */
export function renditionWidths(width: number): number[] {
  const largest = Math.min(width, LARGEST_WIDTH);
  const below = RENDITION_WIDTHS.filter((standard) => standard < largest);
  return [...below, largest];
}

export function renditionHeight(width: number, height: number, renditionWidth: number): number {
  return Math.max(1, Math.round((height * renditionWidth) / width));
}

export function mediaId(hash: string, width: number, height: number): string {
  return `${hash}-${width}x${height}`;
}

/** Every rendition of an image, under `base` (the URL prefix ending in `/media/`). */
export function describeMedia(base: string, id: string, width: number, height: number): UploadedMedia {
  const widths = renditionWidths(width);
  const renditions = MEDIA_FORMATS.flatMap(({ format, extension }) =>
    widths.map((w) => ({ width: w, height: renditionHeight(width, height, w), format, url: `${base}${id}/${w}.${extension}` })),
  );
  const fallback = widths[widths.length - 1] ?? width;
  return { id, url: `${base}${id}/${fallback}.jpg`, width, height, renditions };
}

/** The renditions behind one of our media URLs, or null for any other URL. */
export function parseMediaUrl(url: string): UploadedMedia | null {
  const match = MEDIA_URL_PATTERN.exec(url);
  if (!match) return null;
  const [, base = '', id = '', width = '', height = ''] = match;
  return describeMedia(base, id, Number(width), Number(height));
}
