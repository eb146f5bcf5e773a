/**
 * Reads of a value that changes (a briefing's head), shared by the callers that want it
 * at about the same time, yet never older than a call: one arriving while a read is
 * under way waits for the next read, sent once that one is answered, together with every
 * other call that came meanwhile. So a page asked for after a 201 shows that change, a
 * join's head check sees what Redis holds after the join began, and a thousand readers at
 * once cost a couple of Redis round trips, not a thousand.
 */
export class FreshReads<K, T> {
  private readonly underWay = new Map<K, Promise<T>>();
  private readonly next = new Map<K, Promise<T>>();

  constructor(private readonly readNow: (key: K) => Promise<T>) {}

  read(key: K): Promise<T> {
    const queued = this.next.get(key);
    if (queued) return queued;
    const running = this.underWay.get(key);
    if (!running) return this.start(key);
    const after = running
      .catch(() => undefined)
      .then(() => {
        this.next.delete(key);
        return this.start(key);
      });
    this.next.set(key, after);
    return after;
  }

  private start(key: K): Promise<T> {
    const reading = this.readNow(key).finally(() => {
      if (this.underWay.get(key) === reading) this.underWay.delete(key);
    });
    this.underWay.set(key, reading);
    return reading;
  }
}
