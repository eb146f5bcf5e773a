/**
 * Uploaded photos: POST /api/v1/media checks the bytes, turns the EXIF orientation into
 * pixels, strips every metadata block (a source's location must never leak), stores
 * renditions by content hash under LIVEBRIEF_MEDIA_DIR and serves them immutable from /media.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Entry } from '../../shared/schemas';
import { createBriefing } from '../support/fixtures';
import { ADMIN_TOKEN, closeAll, onClose, startServer, type TestServer } from '../support/harness';

afterEach(closeAll);

interface UploadedMedia {
  id: string;
  url: string;
  width: number;
  height: number;
  renditions: { width: number; height: number; format: string; url: string }[];
}

/** A 1200×800 JPEG carrying GPS coordinates and a "rotate 90° clockwise" orientation. */
function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .jpeg()
    .withMetadata({
      orientation: 6,
      exif: {
        IFD0: { Make: 'PhoneCo', Model: 'Secret Phone' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '50/1 27/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '30/1 31/1 0/1' },
      },
    })
    .toBuffer();
}

async function tempMediaDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'livebrief-media-'));
  onClose(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function upload(server: TestServer, bytes: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'image/jpeg', ...headers },
    body: new Uint8Array(bytes),
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('POST /api/v1/media', () => {
  let server: TestServer;
  let dir: string;
  beforeEach(async () => {
    dir = await tempMediaDir();
    server = await startServer({ LIVEBRIEF_MEDIA_DIR: dir, LIVEBRIEF_MEDIA_MAX_BYTES: String(2 * 1024 * 1024) });
  });

  test('a photo with GPS EXIF comes back upright, resized, in AVIF, WebP and JPEG, with no metadata at all', async () => {
    const original = await photoWithGps();
    const before = await sharp(original).metadata();
    expect(before.exif).toBeDefined();
    expect(original.includes('GPS') || original.includes('Secret Phone')).toBe(true);

    const response = await upload(server, original);
    expect(response.status).toBe(201);
    const { media } = (await response.json()) as { media: UploadedMedia };
    // Orientation 6 means the stored pixels are 800 wide once turned upright.
    expect([media.width, media.height]).toEqual([800, 1200]);
    expect(media.url).toBe(`${server.url}/media/${media.id}/800.jpg`);
    expect(new Set(media.renditions.map((rendition) => rendition.format))).toEqual(new Set(['avif', 'webp', 'jpeg']));
    expect([...new Set(media.renditions.map((rendition) => rendition.width))].sort((a, b) => a - b)).toEqual([480, 800]);

    for (const rendition of media.renditions) {
      const served = await fetch(rendition.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe(`image/${rendition.format}`);
      expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(served.headers.get('access-control-allow-origin')).toBe('*');
      const bytes = Buffer.from(await served.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe(rendition.format === 'jpeg' ? 'jpeg' : rendition.format === 'webp' ? 'webp' : 'heif');
      expect([meta.width, meta.height]).toEqual([rendition.width, rendition.height]);
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(bytes.includes('GPS')).toBe(false);
      expect(bytes.includes('Secret Phone')).toBe(false);
    }
  });

  test('the same photo twice is the same id; nothing is stored twice', async () => {
    const original = await photoWithGps();
    const first = (await (await upload(server, original)).json()) as { media: UploadedMedia };
    const filesAfterFirst = await filesUnder(dir);
    const again = await upload(server, original);
    expect(again.status).toBe(201);
    const second = (await again.json()) as { media: UploadedMedia };
    expect(second.media).toEqual(first.media);
    expect(await filesUnder(dir)).toEqual(filesAfterFirst);
  });

  test('a text file sent as a JPEG is refused as not an image, and nothing is written', async () => {
    const response = await upload(server, Buffer.from('this is not a photo, just text pretending\n'.repeat(20)));
    expect(response.status).toBe(415);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.message).toMatch(/image/);
    expect(await filesUnder(dir)).toEqual([]);
  });

  test('too many bytes is 413 with a sentence naming the limit', async () => {
    const response = await upload(server, Buffer.alloc(3 * 1024 * 1024, 0xff));
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('too_large');
    expect(body.error.message).toMatch(/2 MB/);
    expect(await filesUnder(dir)).toEqual([]);
  });

  test('too many pixels is 413, however small the file', async () => {
    const limited = await startServer({ LIVEBRIEF_MEDIA_DIR: dir, LIVEBRIEF_MEDIA_MAX_PIXELS: '10000' });
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const response = await upload(limited, png, { 'content-type': 'image/png' });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/pixels/);
  });

  test('no credentials is 401, and the body is never stored', async () => {
    const response = await fetch(`${server.url}/api/v1/media`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: new Uint8Array(await photoWithGps()),
    });
    expect(response.status).toBe(401);
    expect(await filesUnder(dir)).toEqual([]);
  });

  test('paths that are not a stored rendition are 404 in the contract shape, never a file outside', async () => {
    const { media } = (await (await upload(server, await photoWithGps())).json()) as { media: UploadedMedia };
    for (const path of [
      `/media/${media.id}/..%2F..%2Fpackage.json`,
      `/media/..%2F${media.id}/480.jpg`,
      `/media/${media.id}/481.jpg`,
      `/media/${media.id}/480.png`,
      '/media/not-an-id/480.jpg',
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect([400, 404]).toContain(response.status);
      const body = (await response.json()) as { error: { code: string } };
      expect(['not_found', 'invalid']).toContain(body.error.code);
    }
  });

  test('an entry pointing at an uploaded photo renders a <picture> with AVIF and WebP sources and sized <img>', async () => {
    await createBriefing(server.api, 'ph');
    const { media } = (await (await upload(server, await photoWithGps())).json()) as { media: UploadedMedia };
    const created = await server.api.post<{ entry: Entry }>('/api/v1/briefings/ph/entries', {
      body: 'Photo from the scene',
      media: [{ url: media.url, alt: 'Smoke over the bridge', caption: 'The bridge at noon', credit: 'A. Reporter' }],
    });
    expect(created.status).toBe(201);
    const page = await (await fetch(`${server.url}/b/ph`)).text();
    expect(page).toContain(
      `<source type="image/avif" srcset="${server.url}/media/${media.id}/480.avif 480w, ${server.url}/media/${media.id}/800.avif 800w"`,
    );
    expect(page).toContain('type="image/webp"');
    expect(page).toMatch(
      new RegExp(`<img src="${media.url}" srcset="[^"]+480w[^"]+" sizes="[^"]+" width="800" height="1200" alt="Smoke over the bridge"`),
    );
  });

  test('media without alt text is refused with 400 naming media', async () => {
    await createBriefing(server.api, 'pa');
    const response = await server.api.post('/api/v1/briefings/pa/entries', {
      body: 'x',
      media: [{ url: 'https://example.com/a.jpg', alt: '  ' }],
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(/media/);
  });
});
