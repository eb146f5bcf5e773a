/**
 * `npm run demo`: starts the service, creates the sample briefing and keeps it moving —
 * a new update, a correction or a pin every few seconds — until stopped (Ctrl-C).
 */
import { randomBytes } from 'node:crypto';
import { createApp } from '../app';
import { loadConfig } from '../config';
import { buildEntry, patchEntry } from '../entries';
import { createLogger } from '../logger';
import { ensureRedis } from '../redis';
import { DEMO_CORRECTIONS, DEMO_SLUG, DEMO_UPDATES } from './content';
import { demoAuthor, seedDemo } from './seed';
import { ARABIC_DEMO } from './content-ar';

/** Time between two demo actions, in ms (DEMO_INTERVAL_MS). */
const INTERVAL_MS = Number(process.env.DEMO_INTERVAL_MS ?? 4000);

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    LIVEBRIEF_ADMIN_TOKEN: process.env.LIVEBRIEF_ADMIN_TOKEN ?? randomBytes(24).toString('hex'),
  });
  const logger = createLogger(config);
  const redisChild = await ensureRedis(config, logger, process.env.PATH);
  const app = await createApp(config, logger);
  const address = await app.listen();
  const origin = config.publicUrl ?? `http://${address.address}:${address.port}`;
  await seedDemo(app.store, origin);
  await seedDemo(app.store, origin, Date.now(), ARABIC_DEMO.briefing.slug, ARABIC_DEMO);
  process.stdout.write(
    `\ndemo briefing: ${origin}/b/${DEMO_SLUG}\nin Arabic:     ${origin}/b/${ARABIC_DEMO.briefing.slug}\nembed frame:   ${origin}/embed/${DEMO_SLUG}\nCtrl-C stops.\n\n`,
  );

  let step = 0;
  const act = async (): Promise<void> => {
    const kind = step % 3;
    const turn = Math.floor(step / 3);
    step++;
    const page = await app.store.readPage(DEMO_SLUG, { limit: 5, withPinned: true });
    if (kind === 0) {
      const input = DEMO_UPDATES[turn % DEMO_UPDATES.length] ?? { body: 'More soon.' };
      await app.store.createEntry(buildEntry(DEMO_SLUG, input, demoAuthor(turn), new Date()), {});
      logger.info('demo: published an update');
    } else if (kind === 1) {
      const target = page.entries[1];
      if (!target) return;
      const note = DEMO_CORRECTIONS[turn % DEMO_CORRECTIONS.length] ?? '';
      const body = `${target.body.replace(/\n\n_[^\n]*_$/, '')}\n\n_${note}_`;
      await app.store.updateEntry(DEMO_SLUG, target.id, (current) => patchEntry(current, { body }, new Date()));
      logger.info('demo: corrected an update');
    } else {
      // The pin moves to the newest entry, so readers see a pin and an unpin each time.
      const target = page.entries[0];
      if (!target || target.pinned) return;
      for (const pinned of page.pinned) {
        await app.store.updateEntry(DEMO_SLUG, pinned.id, (current) => patchEntry(current, { pinned: false }, new Date()));
      }
      await app.store.updateEntry(DEMO_SLUG, target.id, (current) => patchEntry(current, { pinned: true }, new Date()));
      logger.info('demo: pinned the newest update');
    }
  };
  const timer = setInterval(() => {
    act().catch((error: unknown) => logger.error({ err: error }, 'demo step failed'));
  }, INTERVAL_MS);

  const stop = (): void => {
    clearInterval(timer);
    app
      .close()
      .then(() => {
        redisChild?.kill('SIGTERM');
        process.exit(0);
      })
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
