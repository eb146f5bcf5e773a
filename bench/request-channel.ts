/**
 * Request and reply with a helper the benchmark started (a worker thread, a child process):
 * each request gets an id and a ceiling, each reply settles the request with its id, an
 * `error` reply rejects it, and a helper that dies fails everything waiting on it.
 */
type ReplyOf<Reply, T> = Extract<Reply, { type: T }>;

interface Waiting<Reply> {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class RequestChannel<Body extends { type: string }, Reply extends { type: string; id: number }> {
  private readonly waiting = new Map<number, Waiting<Reply>>();
  private nextId = 1;
  private failure: Error | null = null;

  /** `send` posts a request (the body with its id); `name` says who answers, in errors. */
  constructor(
    private readonly name: string,
    private readonly send: (request: Body & { id: number }) => void,
  ) {}

  /** Hand every reply from the helper to this. */
  receive(reply: Reply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    clearTimeout(waiting.timer);
    if (reply.type === 'error') {
      const { message } = reply as unknown as { message?: unknown };
      waiting.reject(new Error(`${this.name}: ${String(message)}`));
    } else waiting.resolve(reply);
  }

  async request<T extends Reply['type']>(body: Body, expect: T, timeoutMs: number): Promise<ReplyOf<Reply, T>> {
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to "${body.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.send({ ...body, id });
    });
    if (reply.type !== expect) throw new Error(`${this.name} answered "${reply.type}" to "${body.type}"`);
    return reply as ReplyOf<Reply, T>;
  }

  /** The helper is gone: every request waiting, and every later one, fails with `error`. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.waiting.clear();
  }
}
