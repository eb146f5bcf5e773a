/** The benchmark table is built from every result file in the shared format, whoever wrote it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readResults, writeTable, type ScenarioResult } from '../../bench/suite/results';

function result(fields: Partial<ScenarioResult> & Pick<ScenarioResult, 'scenario' | 'title'>): ScenarioResult {
  return {
    command: 'npm run bench -- x',
    metric: 'p99 (ms)',
    better: 'lower',
    livebrief: 10,
    floor: 8,
    ratio: 1.25,
    floorName: 'bare Socket.IO room broadcast',
    runs: [{ livebrief: 10, floor: 8, ratio: 1.25 }],
    details: {},
    measuredAt: '2026-01-01T00:00:00.000Z',
    machine: { cpus: 2, node: 'v20.0.0' },
    ...fields,
  };
}

describe('the benchmark table', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'livebrief-results-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has a row for every result file in the shared format, and none for other files', () => {
    const files: Record<string, unknown> = {
      'fanout-1000.json': result({ scenario: 'fanout-1000', title: 'Fan-out, 1,000 readers' }),
      'reader-page.json': result({
        scenario: 'reader-page',
        title: 'Reader page',
        metric: 'requests/s',
        better: 'higher',
        livebrief: 4200,
        floor: 5000,
        ratio: 0.84,
        floorName: 'bare Express',
        command: 'npm run bench:page',
      }),
      'keystroke-to-pixel.json': result({
        scenario: 'keystroke-to-pixel',
        title: 'Keystroke to pixel',
        livebrief: 95.5,
        floor: null,
        ratio: null,
        details: { target: '≤ 150 ms' },
        command: 'npm run bench:keystroke',
      }),
      'latest.json': { startedAt: 'x', phases: [] },
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(content));
    writeFileSync(path.join(dir, 'broken.json'), '{ not json');

    expect(
      readResults(dir)
        .map((item) => item.scenario)
        .sort(),
    ).toEqual(['fanout-1000', 'keystroke-to-pixel', 'reader-page']);
    const rows = readFileSync(writeTable(dir), 'utf8').trim().split('\n').slice(2);
    expect(rows).toEqual([
      '| Fan-out, 1,000 readers | p99 (ms) (lower is better) | 10 | 8 | 1.25× | `npm run bench -- x` |',
      '| Reader page | requests/s (higher is better) | 4200 | 5000 | 0.84× | `npm run bench:page` |',
      '| Keystroke to pixel | p99 (ms) (lower is better) | 95.5 | target ≤ 150 ms | – | `npm run bench:keystroke` |',
    ]);
  });
});
