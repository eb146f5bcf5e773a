/** Recognizing posts of other services from their URLs, and the player address built from each. */
import { EMBED_FRAME_ORIGINS, recognizeEmbed } from '../../shared/embeds';
import { createEntrySchema, describeIssue, updateEntrySchema } from '../../shared/schemas';

describe('recognizeEmbed', () => {
  test.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://m.youtube.com/watch?v=dQw4w9WgXcQ', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://youtu.be/dQw4w9WgXcQ?si=abc', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://www.youtube.com/shorts/dQw4w9WgXcQ', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://www.youtube.com/live/dQw4w9WgXcQ?feature=share', 'youtube', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://x.com/Reuters/status/1790000000000000000', 'x', 'https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000'],
    ['https://twitter.com/AP/status/123456789', 'x', 'https://platform.twitter.com/embed/Tweet.html?id=123456789'],
    ['https://mobile.twitter.com/AP/status/123456789', null, null],
    ['https://www.twitter.com/AP/status/123456789?s=20', 'x', 'https://platform.twitter.com/embed/Tweet.html?id=123456789'],
    ['https://t.me/durov/123', 'telegram', 'https://t.me/durov/123?embed=1'],
    ['https://t.me/s/durov/123', 'telegram', 'https://t.me/durov/123?embed=1'],
    [
      'https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l',
      'bluesky',
      'https://embed.bsky.app/embed/bsky.app/app.bsky.feed.post/3l6oveex3ii2l',
    ],
    [
      'https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l6oveex3ii2l',
      'bluesky',
      'https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l',
    ],
    ['https://www.instagram.com/p/C8abcDEF123/', 'instagram', 'https://www.instagram.com/p/C8abcDEF123/embed'],
    ['https://instagram.com/reel/C8abcDEF123', 'instagram', 'https://www.instagram.com/p/C8abcDEF123/embed'],
    [
      'https://www.facebook.com/nytimes/posts/pfbid02abcDEF',
      'facebook',
      `https://www.facebook.com/plugins/post.php?href=${encodeURIComponent('https://www.facebook.com/nytimes/posts/pfbid02abcDEF')}&show_text=true`,
    ],
    [
      'https://www.facebook.com/watch/?v=1234567890',
      'facebook',
      `https://www.facebook.com/plugins/video.php?href=${encodeURIComponent('https://www.facebook.com/watch/?v=1234567890')}&show_text=true`,
    ],
    [
      'https://m.facebook.com/reel/1234567890',
      'facebook',
      `https://www.facebook.com/plugins/video.php?href=${encodeURIComponent('https://www.facebook.com/reel/1234567890')}&show_text=true`,
    ],
    [
      'https://fb.watch/aBc123/',
      'facebook',
      `https://www.facebook.com/plugins/video.php?href=${encodeURIComponent('https://fb.watch/aBc123/')}&show_text=true`,
    ],
    [
      'https://www.facebook.com/share/p/1AbCdEfGh/',
      'facebook',
      `https://www.facebook.com/plugins/post.php?href=${encodeURIComponent('https://www.facebook.com/share/p/1AbCdEfGh/')}&show_text=true`,
    ],
    [
      'https://www.facebook.com/share/v/1AbCdEfGh/',
      'facebook',
      `https://www.facebook.com/plugins/video.php?href=${encodeURIComponent('https://www.facebook.com/share/v/1AbCdEfGh/')}&show_text=true`,
    ],
    ['https://t.me/bbc/7', 'telegram', 'https://t.me/bbc/7?embed=1'],
    ['https://www.instagram.com/p/Cx1/?utm_source=ig_web_copy_link', 'instagram', 'https://www.instagram.com/p/Cx1/embed'],
    ['https://www.tiktok.com/@bbcnews/video/7380000000000000000', 'tiktok', 'https://www.tiktok.com/embed/v2/7380000000000000000'],
    ['https://vimeo.com/76979871', 'vimeo', 'https://player.vimeo.com/video/76979871'],
  ])('%s → %s', (url, provider, frameUrl) => {
    const target = recognizeEmbed(url);
    if (provider === null) expect(target).toBeNull();
    else expect(target).toEqual({ provider, frameUrl });
  });

  test.each([
    ['plain http', 'http://www.youtube.com/watch?v=dQw4w9WgXcQ'],
    ['a look-alike domain ending in the real one', 'https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ'],
    ['a look-alike domain starting with it', 'https://evil-youtube.com/watch?v=dQw4w9WgXcQ'],
    ['a subdomain other than www. or m.', 'https://evil.youtube.com/watch?v=dQw4w9WgXcQ'],
    ['credentials before another host', 'https://youtube.com@evil.example/watch?v=dQw4w9WgXcQ'],
    ['credentials before the real host', 'https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ'],
    ['another port', 'https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ'],
    ['a video id that is not one', 'https://www.youtube.com/watch?v=../../evil'],
    ['a channel, not a video', 'https://www.youtube.com/@bbcnews'],
    ['a profile, not a post', 'https://x.com/Reuters'],
    ['a status id that is not a number', 'https://x.com/Reuters/status/abc'],
    ['a private Telegram link', 'https://t.me/c/1234567/89'],
    ['a Facebook page', 'https://www.facebook.com/nytimes'],
    ['a Vimeo channel', 'https://vimeo.com/channels/staffpicks'],
    ['an unknown service', 'https://example.com/post/1'],
    ['javascript:', 'javascript:alert(1)'],
    ['a protocol-relative URL', '//www.youtube.com/watch?v=dQw4w9WgXcQ'],
    ['not a URL', 'youtube dQw4w9WgXcQ'],
    ['far too long', `https://www.youtube.com/watch?v=dQw4w9WgXcQ&x=${'a'.repeat(3000)}`],
  ])('refuses %s', (_what, url) => {
    expect(recognizeEmbed(url)).toBeNull();
  });

  test('every player address is on one of the frame origins the pages allow', () => {
    const urls = [
      'https://youtu.be/dQw4w9WgXcQ',
      'https://x.com/a/status/1',
      'https://t.me/durov/1',
      'https://bsky.app/profile/a.b/post/1',
      'https://instagram.com/p/abcdef',
      'https://fb.watch/a/',
      'https://tiktok.com/@a/video/1',
      'https://vimeo.com/1',
    ];
    for (const url of urls) {
      const target = recognizeEmbed(url);
      expect(target).not.toBeNull();
      expect(EMBED_FRAME_ORIGINS).toContain(new URL(target?.frameUrl ?? '').origin);
    }
  });
});

describe('embeds in entry input', () => {
  test('each URL is stored with its provider', () => {
    const parsed = createEntrySchema.parse({ body: 'x', embeds: [{ url: ' https://vimeo.com/76979871 ' }] });
    expect(parsed.embeds).toEqual([{ url: 'https://vimeo.com/76979871', provider: 'vimeo' }]);
  });

  test('an unknown or non-https URL, or a fifth one, is refused naming embeds', () => {
    for (const embeds of [
      [{ url: 'https://example.com/a' }],
      [{ url: 'http://vimeo.com/1' }],
      Array.from({ length: 5 }, () => ({ url: 'https://vimeo.com/1' })),
      [{}],
      'https://vimeo.com/1',
    ]) {
      const result = updateEntrySchema.safeParse({ embeds });
      expect(result.success).toBe(false);
      if (!result.success) expect(describeIssue(result.error)).toMatch(/^embeds/);
    }
  });
});
