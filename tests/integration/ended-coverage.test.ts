/**
 * Ending a briefing ends its live traffic: subscribed readers receive the ended change and
 * are then let go; later corrections reach the next page load; the JSON-LD keeps the
 * moment coverage ended, whatever is edited afterwards, until the briefing is reopened.
 */
import type { Briefing, Change } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, connectReader, startServer, waitFor, type TestServer } from '../support/harness';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

function jsonLd(html: string): Record<string, unknown> {
  const block = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}';
  return JSON.parse(block) as Record<string, unknown>;
}

async function pageHtml(server: TestServer, path: string): Promise<string> {
  const response = await fetch(`${server.url}${path}`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('ending a briefing', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer();
    await createBriefing(server.api, 'storm');
  });

  test('subscribed readers receive the ended change, then are let go: nothing published after it reaches them live', async () => {
    await publish(server.api, 'storm', 'First.');
    const alone = new FoldingReader(await connectReader(server.url), 'storm');
    // a socket following another briefing too keeps its connection, and that other subscription
    await createBriefing(server.api, 'other');
    const both = new FoldingReader(await connectReader(server.url), 'storm');
    const otherOnSameSocket = new FoldingReader(both.socket, 'other');
    for (const reader of [alone, both, otherOnSameSocket]) expect((await reader.subscribe()).ok).toBe(true);

    const ended = await server.api.patch<{ briefing: Briefing }>('/api/v1/briefings/storm', { status: 'ended' });
    expect(ended.status).toBe(200);
    const endSeq = ended.body.briefing.seq;
    for (const reader of [alone, both]) {
      const view = await reader.waitForView(endSeq, 5000);
      expect(view.briefing.status).toBe('ended');
    }

    // The socket that followed only this briefing is closed by the server within 5 s.
    await waitFor(() => (alone.socket.connected ? undefined : true), 5000, 'the server to close the reader of the ended briefing only');

    // A correction after the end reaches no one as a live change...
    const correction = await publish(server.api, 'storm', 'Correction after the end.');
    const renamed = await server.api.patch<{ briefing: Briefing }>('/api/v1/briefings/other', { title: 'Other, renamed' });
    await otherOnSameSocket.waitForSeq(renamed.body.briefing.seq, 5000);
    expect(both.socket.connected).toBe(true);
    const late = both.timeline.filter(
      (item): item is { kind: 'change'; change: Change } => item.kind === 'change' && item.change.seq > endSeq,
    );
    expect(late).toEqual([]);
    expect([...alone.problems, ...both.problems, ...otherOnSameSocket.problems]).toEqual([]);

    // ...and is there on the next page load.
    const html = await pageHtml(server, '/b/storm');
    expect(html).toContain('Correction after the end.');
    expect(correction.seq).toBeGreaterThan(endSeq);
  });

  test('a subscribe to an ended briefing is answered as the contract says', async () => {
    await server.api.patch('/api/v1/briefings/storm', { status: 'ended' });
    const reader = new FoldingReader(await connectReader(server.url), 'storm');
    const ack = await reader.subscribe();
    expect(ack).toMatchObject({ ok: true, mode: 'snapshot' });
    expect(ack.ok && ack.mode === 'snapshot' ? ack.snapshot.briefing.status : null).toBe('ended');
  });

  test('the JSON-LD coverageEndTime is the moment it ended, kept through later edits; reopening clears it', async () => {
    const ended = await server.api.patch<{ briefing: Briefing }>('/api/v1/briefings/storm', { status: 'ended' });
    const endedAt = ended.body.briefing.updatedAt;
    expect(ended.body.briefing).not.toHaveProperty('endedAt');
    expect(jsonLd(await pageHtml(server, '/b/storm')).coverageEndTime).toBe(endedAt);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const renamed = await server.api.patch<{ briefing: Briefing }>('/api/v1/briefings/storm', { title: 'Storm: the aftermath' });
    expect(renamed.body.briefing.updatedAt).not.toBe(endedAt);
    const afterEdit = jsonLd(await pageHtml(server, '/b/storm'));
    expect(afterEdit.headline).toBe('Storm: the aftermath');
    expect(afterEdit.coverageEndTime).toBe(endedAt);

    // Ending again what has ended does not move the end.
    await server.api.patch('/api/v1/briefings/storm', { status: 'ended' });
    expect(jsonLd(await pageHtml(server, '/b/storm')).coverageEndTime).toBe(endedAt);

    const reopened = await server.api.patch<{ briefing: Briefing }>('/api/v1/briefings/storm', { status: 'live' });
    expect(reopened.body.briefing.status).toBe('live');
    expect(jsonLd(await pageHtml(server, '/b/storm'))).not.toHaveProperty('coverageEndTime');

    await new Promise((resolve) => setTimeout(resolve, 20));
    const endedAgain = await server.api.patch<{ briefing: Briefing }>('/api/v1/briefings/storm', { status: 'ended' });
    expect(jsonLd(await pageHtml(server, '/b/storm')).coverageEndTime).toBe(endedAgain.body.briefing.updatedAt);
  });

  test('the page of an ended briefing tells its script not to go live; a reopened one does', async () => {
    const state = (html: string): { live: boolean } =>
      JSON.parse(/<script type="application\/json" id="lb-state">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}') as { live: boolean };
    expect(state(await pageHtml(server, '/b/storm')).live).toBe(true);
    await server.api.patch('/api/v1/briefings/storm', { status: 'ended' });
    expect(state(await pageHtml(server, '/b/storm')).live).toBe(false);
    await server.api.patch('/api/v1/briefings/storm', { status: 'live' });
    expect(state(await pageHtml(server, '/b/storm')).live).toBe(true);
  });
});
