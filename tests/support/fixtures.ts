/** Small API steps shared by the realtime and multi-process tests. */
import type { Briefing, Entry } from '../../shared/schemas';
import type { ApiClient } from './harness';

export async function createBriefing(api: ApiClient, slug: string): Promise<Briefing> {
  const response = await api.post<{ briefing: Briefing }>('/api/v1/briefings', { slug, title: `Briefing ${slug}` });
  expect(response.status).toBe(201);
  return response.body.briefing;
}

export async function publish(
  api: ApiClient,
  slug: string,
  body: string,
  extra: Record<string, unknown> = {},
): Promise<{ entry: Entry; epoch: string; seq: number }> {
  const response = await api.post<{ entry: Entry; epoch: string; seq: number }>(`/api/v1/briefings/${slug}/entries`, {
    body,
    ...extra,
  });
  expect(response.status).toBe(201);
  return response.body;
}
