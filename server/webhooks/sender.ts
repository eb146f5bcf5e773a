/** One signed POST to a webhook endpoint, with a timeout and the address checks of address.ts. */
import { createHash, createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { checkedLookup, isPrivateAddress, literalAddress } from './address';

export interface SendResult {
  /** The receiver's status, or null when none came (refused, timed out, not allowed). */
  status: number | null;
  error: string | null;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** The same id for every attempt at one change for one endpoint, so receivers can drop duplicates. */
export function deliveryIdOf(webhookId: string, slug: string, epoch: string, seq: number): string {
  return createHash('sha256').update(`${webhookId} ${slug} ${epoch} ${seq}`).digest('hex').slice(0, 24);
}

export class Sender {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    private readonly allowPrivate: boolean,
    private readonly timeoutMs: number,
  ) {
    const lookup = checkedLookup(allowPrivate);
    this.httpAgent = new HttpAgent({ keepAlive: true, lookup });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, lookup });
  }

  async send(url: string, secret: string, event: string, deliveryId: string, body: string): Promise<SendResult> {
    const target = new URL(url);
    // An IP literal is connected to without a lookup: checked here instead.
    const literal = literalAddress(target.hostname);
    if (literal && !this.allowPrivate && isPrivateAddress(literal)) {
      return { status: null, error: `${literal} is a private address` };
    }
    const secure = target.protocol === 'https:';
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': 'livebrief-webhooks',
      'X-Livebrief-Event': event,
      'X-Livebrief-Delivery': deliveryId,
      'X-Livebrief-Signature': signature(secret, body, Math.floor(Date.now() / 1000)),
    };
    return new Promise<SendResult>((resolve) => {
      const request = (secure ? httpsRequest : httpRequest)(
        target,
        { method: 'POST', headers, agent: secure ? this.httpsAgent : this.httpAgent, timeout: this.timeoutMs },
        (response) => {
          // The body is not read, only drained, so the connection can be reused.
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? null, error: null }));
          response.on('error', (error) => resolve({ status: response.statusCode ?? null, error: error.message }));
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', (error) => resolve({ status: null, error: error.message }));
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
