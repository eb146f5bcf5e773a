/** Uploaded images' names: what the pure markup learns from a URL alone. */
import { parseMediaUrl, renditionWidths } from '../../shared/media';

const ID = `${'a'.repeat(32)}-1400x1000`;

test('renditions are the standard widths below the original, and the original capped at the largest; never wider', () => {
  expect(renditionWidths(300)).toEqual([300]);
  expect(renditionWidths(480)).toEqual([480]);
  expect(renditionWidths(1400)).toEqual([480, 960, 1400]);
  expect(renditionWidths(4000)).toEqual([480, 960, 1600]);
});

test('our own media URL names its renditions under the same origin, with the intrinsic size', () => {
  const media = parseMediaUrl(`https://live.example/media/${ID}/1400.jpg`);
  expect(media).toMatchObject({ id: ID, width: 1400, height: 1000, url: `https://live.example/media/${ID}/1400.jpg` });
  expect(media?.renditions.filter((rendition) => rendition.format === 'avif').map((rendition) => rendition.url)).toEqual([
    `https://live.example/media/${ID}/480.avif`,
    `https://live.example/media/${ID}/960.avif`,
    `https://live.example/media/${ID}/1400.avif`,
  ]);
  expect(media?.renditions.find((rendition) => rendition.width === 480)?.height).toBe(343);
});

test.each([
  'https://example.com/photo.jpg',
  `https://live.example/media/${ID}/1400.jpg?x=1`,
  `https://live.example/media/${ID}/1400.png`,
  `https://live.example/media/${'a'.repeat(31)}-1400x1000/1400.jpg`,
  `https://live.example/media/${'a'.repeat(32)}-0x1000/1400.jpg`,
])('any other URL is not ours: %s', (url) => {
  expect(parseMediaUrl(url)).toBeNull();
});
