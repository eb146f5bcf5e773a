/** One publish over HTTP, timed from the request's start to the 201 with its body read. */
import { z } from 'zod';
import type { Clock } from './clock';

/** Each publish request gives up after this long. */
const REQUEST_TIMEOUT_MS = 15_000;

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

export async function publishOne(clock: Clock, base: string, token: string, slug: string, n: number, bodyChars = 0): Promise<Published> {
  const payload = JSON.stringify({ body: entryBody(n, bodyChars) });
  const start = clock();
  const response = await fetch(`${base}/api/v1/briefings/${slug}/entries`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: payload,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  const end = clock();
  if (response.status !== 201) throw new Error(`publish answered ${response.status}, not 201: ${text.slice(0, 300)}`);
  const parsed = publishResponseSchema.parse(JSON.parse(text) as unknown);
  return { seq: parsed.seq, id: parsed.entry.id, start, end };
}
