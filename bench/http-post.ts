/**
 * POST a JSON body over a keep-alive pool of at most MAX_SOCKETS connections to each
 * server. An open-loop publisher can start requests faster than a busy server answers; the
 * pool then queues them here (a publish is timed from before that queue) instead of opening
 * a connection per request until the server's accept backlog overflows and connects time out.
 */
import http from 'node:http';

const MAX_SOCKETS = 64;
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });

export interface PostAnswer {
  status: number;
  text: string;
}

/** Resolves with the status and the body once it is all in; rejects on a network error or after `timeoutMs`. */
export function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
