/**
 * Uploaded images on disk: checked by their bytes, turned upright, stripped of every
 * metadata block (EXIF, GPS, XMP, ICC: a source's location must never leak), resized to
 * a few widths in AVIF, WebP and JPEG, and stored under one folder per content hash.
 *
 * Files are immutable and content-addressed: the same bytes always make the same id, so
 * any number of processes may share the folder (a shared volume) and write the same id
 * at once; each id's folder appears whole, by one rename, or not at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../shared/errors';
import {
  describeMedia,
  MEDIA_FILE_PATTERN,
  MEDIA_FORMATS,
  MEDIA_ID_PATTERN,
  mediaId,
  renditionWidths,
  type UploadedMedia,
} from '../../shared/media';

/** Formats we accept as input; anything else (SVG, PDF, raw text) is not a photo. */
const ACCEPTED_INPUT = new Set(['jpeg', 'png', 'webp', 'avif', 'heif', 'gif', 'tiff']);

export interface ImageLimits {
  /** Largest accepted upload, in bytes. */
  maxBytes: number;
  /** Largest accepted image, in pixels (width × height), checked before decoding. */
  maxPixels: number;
}

/** The refusal of an upload above the byte limit, in MB as people say it. */
export function tooManyBytes(maxBytes: number): AppError {
  const mb = maxBytes / (1024 * 1024);
  return new AppError('too_large', `image: larger than the ${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB limit; send a smaller photo`);
}

/** Photos encoded at once per process: each takes about 2 s of a core (12 MP), and sharp shares the thread pool with argon2 and fs. */
const ENCODING_AT_ONCE = 2;

export class MediaStore {
  private encoding = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly dir: string,
    readonly limits: ImageLimits,
  ) {}

  /** Runs `work` when fewer than ENCODING_AT_ONCE others run; the rest wait their turn. */
  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.encoding >= ENCODING_AT_ONCE) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.encoding++;
    try {
      return await work();
    } finally {
      this.encoding--;
      this.waiting.shift()?.();
    }
  }

  /**
   * Stores an image and describes its renditions, whose URLs start with `base` (e.g.
   * `https://live.example/media/`). The same bytes again answer the same id and write nothing.
   */
  async storeImage(bytes: Buffer, base = '/media/'): Promise<UploadedMedia> {
    if (bytes.length > this.limits.maxBytes) throw tooManyBytes(this.limits.maxBytes);
    let meta: sharp.Metadata;
    try {
      // Headers only: the pixel limit is checked below with a sentence of its own.
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch {
      throw notAnImage();
    }
    if (!ACCEPTED_INPUT.has(meta.format) || !meta.width || !meta.height) throw notAnImage();
    if (meta.width * meta.height > this.limits.maxPixels) {
      throw new AppError('too_large', `image: more than ${this.limits.maxPixels.toLocaleString('en')} pixels; send a smaller photo`);
    }
    // Width and height as readers see them: orientations 5-8 turn the picture a quarter.
    const turned = (meta.orientation ?? 1) >= 5;
    const width = turned ? meta.height : meta.width;
    const height = turned ? meta.width : meta.height;
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    const id = mediaId(hash, width, height);
    const media = describeMedia(base, id, width, height);
    const folder = join(this.dir, id);
    if (await exists(folder)) return media;

    await this.inTurn(() => this.writeRenditions(bytes, folder, width));
    return media;
  }

  /** Encodes every rendition into a staging folder, then publishes it under `folder` by one rename. */
  private async writeRenditions(bytes: Buffer, folder: string, width: number): Promise<void> {
    if (await exists(folder)) return;
    const input = { limitInputPixels: this.limits.maxPixels, failOn: 'error' as const };
    await mkdir(this.dir, { recursive: true });
    const staging = join(this.dir, `.upload-${randomUUID()}`);
    await mkdir(staging);
    try {
      for (const w of renditionWidths(width)) {
        // rotate() with no angle applies the EXIF orientation; the output carries no metadata
        // (sharp writes none unless asked) and its colours are converted to sRGB.
        const resized = sharp(bytes, { ...input, animated: false })
          .rotate()
          .resize({ width: w, withoutEnlargement: true });
        for (const { format, extension } of MEDIA_FORMATS) {
          const encoded =
            format === 'avif'
              ? resized.clone().avif({ quality: 55, effort: 3 })
              : format === 'webp'
                ? resized.clone().webp({ quality: 78 })
                : resized.clone().jpeg({ quality: 80, mozjpeg: true, progressive: true });
          await writeFile(join(staging, `${w}.${extension}`), await encoded.toBuffer());
        }
      }
      await rename(staging, folder).catch(async (error: unknown) => {
        // Another process stored the same bytes first: its folder is the same image.
        if (!(await exists(folder))) throw error;
      });
    } catch (error) {
      if (error instanceof Error && /pixel limit|Input image exceeds/i.test(error.message)) {
        throw new AppError('too_large', `image: more than ${this.limits.maxPixels.toLocaleString('en')} pixels; send a smaller photo`);
      }
      if (error instanceof Error && !('code' in error)) throw notAnImage();
      throw error;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** The file of one rendition, or null when the names cannot be one of ours (never a path outside the folder). */
  filePath(id: string, file: string): string | null {
    if (!MEDIA_ID_PATTERN.test(id) || !MEDIA_FILE_PATTERN.test(file)) return null;
    return join(this.dir, id, file);
  }
}

function notAnImage(): AppError {
  return new AppError(
    'unsupported_media_type',
    'image: the file is not a photo we can read (send JPEG, PNG, WebP, AVIF, HEIF, GIF or TIFF)',
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
