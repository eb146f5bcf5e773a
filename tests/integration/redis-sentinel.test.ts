/**
 * Redis behind Sentinels (REDIS_SENTINELS, REDIS_SENTINEL_NAME): a primary, one replica and
 * three Sentinels of the test's own, a real server process, readers subscribed and an editor
 * publishing steadily while the primary is failed over, by the Sentinels' own command or by
 * killing it (-9) with writes the replica never received. The service must reach the new
 * primary by itself; readers end with exactly what is stored; everything acknowledged by the
 * new primary is there; and no cursor of the old history is answered `resume` over lost
 * changes (the promoted replica starts a new epoch).
 */
import { Redis } from 'ioredis';
import type { EntriesPage } from '../../shared/apply-change';
import type { Change, Cursor, Entry, SubscribeAck } from '../../shared/schemas';
import { Keys } from '../../server/store/keys';
import { ADMIN_TOKEN, ApiClient, closeAll, connectReader, onClose, spawnServer, waitFor } from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';
import { ResubscribingReader } from '../support/resubscribing-reader';
import { startSentinelGroup, type SentinelGroup } from '../support/sentinel';

afterEach(closeAll);

type Published = Cursor & { entry: Entry };

/** One publish every this many ms while the failover runs. */
const PUBLISH_EVERY_MS = 50;
/** Acknowledgements by the new primary to wait for before the checks. */
const AFTER_FAILOVER = 8;

function adminClient(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  onClose(() => redis.disconnect());
  return redis;
}

/**
 * Kills the primary (-9) after it acknowledged `lost` writes the replica never got: the
 * replica is stopped, its link cut, the writes made, the primary killed, and the replica
 * resumed within the Sentinels' down-after time, so that they still promote it.
 */
async function killWithUnreplicatedWrites(group: SentinelGroup, lost: () => Promise<void>): Promise<void> {
  group.replica.pause();
  try {
    await adminClient(group.primary.url).client('KILL', 'TYPE', 'replica');
    await lost();
    await group.primary.kill();
  } finally {
    group.replica.resume();
  }
}

const FAILOVERS = [
  {
    name: 'SENTINEL FAILOVER',
    loses: false,
    failOver: async (group: SentinelGroup) => group.failover(),
  },
  {
    name: 'kill -9 of the primary with writes the replica never received',
    loses: true,
    failOver: async (group: SentinelGroup, lost: () => Promise<void>) => killWithUnreplicatedWrites(group, lost),
  },
] as const;

test.each(FAILOVERS)(
  '$name: the service follows the new primary, readers end with what is stored, no lost change is resumed over',
  async ({ loses, failOver }) => {
    const group = await startSentinelGroup();
    // REDIS_URL points at nothing: everything must go through the Sentinels.
    const server = await spawnServer({
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SENTINELS: group.addresses,
      REDIS_SENTINEL_NAME: group.name,
      REDIS_PREFIX: 'lb:',
      LOG_LEVEL: 'warn',
    });
    const api = new ApiClient(server.url, ADMIN_TOKEN);
    const slug = 'failover';
    await createBriefing(api, slug);
    // Written to the primary the Sentinels name, which fsyncs every write, and the store read
    // that through them: only the promoted replica's own word can end this history.
    const head = new Keys('lb:').briefing(slug);
    const onPrimary = adminClient(group.primary.url);
    expect(await onPrimary.exists(head.meta)).toBe(1);
    await publish(api, slug, 'the first');
    expect(await onPrimary.get(head.lineage)).toMatch(/:always$/);

    const readers = [
      new ResubscribingReader(await connectReader(server.url), slug),
      new ResubscribingReader(await connectReader(server.url), slug),
    ];
    for (const reader of readers) await reader.start();

    // A steady stream of publishes, each with a key of its own; refusals are recorded, not retried.
    const acknowledged: Published[] = [];
    const refusals: { status: number; body: unknown }[] = [];
    let publishing = true;
    let round = 0;
    const publisher = (async () => {
      while (publishing) {
        const started = Date.now();
        round++;
        const response = await api
          .post<Published>(`/api/v1/briefings/${slug}/entries`, { body: `steady ${round}` }, { 'idempotency-key': `steady-${round}` })
          .catch((error: unknown) => ({ status: 0, body: String(error) }));
        if (response.status === 201) acknowledged.push(response.body as Published);
        else refusals.push({ status: response.status, body: response.body });
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, PUBLISH_EVERY_MS - (Date.now() - started))));
      }
    })();
    onClose(async () => {
      publishing = false;
      await publisher;
    });

    await waitFor(() => (acknowledged.length >= 5 ? true : undefined), 10_000, 'publishes before the failover');
    const before = acknowledged[acknowledged.length - 1];
    if (!before) throw new Error('nothing acknowledged');
    const oldEpoch = before.epoch;
    const doomed: Published[] = [];
    const oldPrimaryPort = group.primary.port;
    await failOver(group, async () => {
      for (let i = 0; i < 3; i++) doomed.push(await publish(api, slug, `acknowledged, never replicated ${i}`));
    });
    await group.waitForPrimary(group.replica.port);
    expect(await group.primaryPort()).not.toBe(oldPrimaryPort);

    await waitFor(
      () => (acknowledged.filter((item) => item.epoch !== oldEpoch).length >= AFTER_FAILOVER ? true : undefined),
      20_000,
      'publishes acknowledged by the new primary',
    );
    publishing = false;
    await publisher;

    // While no primary answered, publishes were refused as the contract says: 503, never a 500.
    for (const refusal of refusals) {
      expect(refusal).toEqual({ status: 503, body: { error: { code: 'unavailable', message: expect.stringMatching(/data store/) } } });
    }

    // A Sentinel's late announcement of the switch may move the service's connection once more
    // (a moment of 503, as the contract allows): read again until the store answers.
    const stored = await waitFor(
      async () => {
        const answer = await api.get<EntriesPage>(`/api/v1/briefings/${slug}/entries?limit=100`);
        if (answer.status === 503) return undefined;
        expect(answer.status).toBe(200);
        return answer.body;
      },
      10_000,
      'the stored entries after the failover',
    );
    const storedIds = new Set(stored.entries.map((entry) => entry.id));
    // The promoted replica is another history: a new epoch, whatever was or was not lost.
    expect(stored.epoch).not.toBe(oldEpoch);
    const afterFailover = acknowledged.filter((item) => item.epoch === stored.epoch);
    expect(afterFailover.length).toBeGreaterThanOrEqual(AFTER_FAILOVER);
    for (const item of afterFailover) expect(storedIds.has(item.entry.id)).toBe(true);
    if (loses) {
      // The scenario happened: acknowledged writes are gone with the old primary.
      expect(doomed).toHaveLength(3);
      for (const item of doomed) expect(storedIds.has(item.entry.id)).toBe(false);
    }

    // No cursor of the old history is resumed over: every one acknowledged under it answers
    // 410, or 200 under the new epoch from its start.
    const oldCursors = [...acknowledged, ...doomed].filter((item) => item.epoch === oldEpoch);
    // (A Sentinel that learns of the failover late tells the service again, which reconnects:
    // a moment of 503s, or of refused subscribes, that clients try again after.)
    for (const cursor of oldCursors) {
      const changes = await waitFor(
        async () => {
          const response = await api.get<{ epoch: string; seq: number; changes: Change[] }>(
            `/api/v1/briefings/${slug}/changes?epoch=${cursor.epoch}&since=${cursor.seq}`,
          );
          return response.status === 503 ? undefined : response;
        },
        5000,
        'an answer to GET …/changes',
      );
      if (changes.status !== 410) {
        expect(changes.status).toBe(200);
        expect(changes.body.epoch).toBe(stored.epoch);
        expect(changes.body.changes[0]?.seq).toBe(1);
      }
    }
    const lastOld = oldCursors[oldCursors.length - 1];
    if (!lastOld) throw new Error('no cursor of the old history');
    const latecomer = await connectReader(server.url);
    const acks: SubscribeAck[] = [];
    await waitFor(
      async () => {
        const ack = await new Promise<SubscribeAck>((resolve) =>
          latecomer.emit('subscribe', { slug, since: { epoch: lastOld.epoch, seq: lastOld.seq } }, resolve),
        );
        acks.push(ack);
        return ack.ok && ack.epoch === stored.epoch ? ack : undefined;
      },
      5000,
      'a subscribe answered under the new epoch',
    );
    for (const ack of acks) expect(ack.ok ? ack.mode : ack.error.code).toMatch(/^(snapshot|unavailable)$/);

    // Readers subscribed throughout end with exactly what is stored, each change once, in order.
    for (const reader of readers) {
      const view = await reader.waitFor(stored.epoch, stored.seq, 15_000);
      expect(reader.violations()).toEqual([]);
      expect(view.entries.length).toBeGreaterThanOrEqual(Math.min(20, stored.entries.length));
      expect(view.entries).toEqual(stored.entries.slice(0, view.entries.length));
    }
    expect(await server.stop()).toBe(0);
  },
  // A ceiling: a failover takes seconds (Sentinel's down-after, the election), more on a loaded machine.
  90_000,
);
