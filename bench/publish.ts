/** One publish over HTTP, timed from the request's start to the 201 with its body read. */
import { z } from 'zod';
import type { Clock } from './clock';
import { postJson } from './http-post';

/** Each publish request gives up after this long, unless told otherwise. */
export const REQUEST_TIMEOUT_MS = 15_000;

export interface PublishOptions {
  /** Markdown characters of the body, at least (default: the plain numbered update). */
  bodyChars?: number;
  timeoutMs?: number;
}

const publishResponseSchema = z.object({
  entry: z.object({ id: z.string() }),
  epoch: z.string(),
  seq: z.number().int(),
});

export interface Published {
  seq: number;
  id: string;
  /** Clock time just before the request was sent. */
  start: number;
  /** Clock time once the 201 and its body were in. */
  end: number;
}

/** A Markdown entry body, numbered `n`, padded with more paragraphs to at least `minChars` characters. */
export function entryBody(n: number, minChars = 0): string {
  const lines = [
    `**Update ${n}.** Emergency services say the *northbound* lanes reopen at 14:00; see the [traffic map](https://example.org/traffic/${n}).`,
    '',
    '- Diversions via the ring road',
    '- Expect delays of about 20 minutes',
  ];
  for (let paragraph = 1; lines.join('\n').length < minChars; paragraph++) {
    lines.push('', `Paragraph ${paragraph}: police ask drivers to avoid the area and to follow the signs until the road is cleared.`);
  }
  return lines.join('\n');
}

export async function publishOne(
  clock: Clock,
  base: string,
  token: string,
  slug: string,
  n: number,
  options: PublishOptions = {},
): Promise<Published> {
  const payload = JSON.stringify({ body: entryBody(n, options.bodyChars) });
  const start = clock();
  const { status, text } = await postJson(
    `${base}/api/v1/briefings/${slug}/entries`,
    payload,
    { authorization: `Bearer ${token}` },
    options.timeoutMs ?? REQUEST_TIMEOUT_MS,
  );
  const end = clock();
  if (status !== 201) throw new Error(`publish answered ${status}, not 201: ${text.slice(0, 300)}`);
  const parsed = publishResponseSchema.parse(JSON.parse(text) as unknown);
  return { seq: parsed.seq, id: parsed.entry.id, start, end };
}
