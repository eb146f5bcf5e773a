/**
 * The console's webhooks page in Chromium: an admin adds an endpoint (its secret shown once),
 * sees its delivery log fill as entries are published, and "Send again" re-sends a delivery.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/chromium';
import { addUser, signInPage } from '../support/console';
import { closeAll, onClose, startServer, waitFor, type TestServer } from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';

let browser: Browser;
let server: TestServer;
const received: { seq: number; redelivery: boolean }[] = [];
let receiverUrl = '';

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer({ LIVEBRIEF_WEBHOOKS_ALLOW_PRIVATE: 'true', LIVEBRIEF_WEBHOOKS_POLL_MS: '50' });
  await addUser(server, 'ada', 'Ada Admin', 'admin');
  await createBriefing(server.api, 'hooked');
  const receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { seq: number; redelivery?: boolean };
      received.push({ seq: body.seq, redelivery: body.redelivery === true });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  onClose(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 30_000);

afterAll(async () => {
  await browser.close();
  await closeAll();
});

test('an admin adds a webhook, sees its delivery log, and sends a delivery again', async () => {
  const { page } = await signInPage(browser, server.url, 'ada', { hash: '#/webhooks' });
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByLabel('URL (http or https)').fill(receiverUrl);
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const secret = page.locator('#new-webhook-secret');
  await secret.waitFor();
  expect((await secret.inputValue()).length).toBeGreaterThanOrEqual(32);
  await page.keyboard.press('Escape');
  const row = page.locator('tr[data-webhook]');
  await row.waitFor();
  expect(await row.textContent()).toContain(receiverUrl);
  expect(await row.textContent()).toContain('All briefings');

  await publish(server.api, 'hooked', 'First update');
  await waitFor(() => (received.length === 1 ? true : undefined), 10_000, 'the first delivery');
  await row.getByRole('button', { name: 'Deliveries' }).click();
  const line = page.locator('tr[data-delivery]');
  await line.first().waitFor();
  expect(await line.first().textContent()).toContain('entry.published');
  expect(await line.first().textContent()).toContain('delivered');

  await line.first().getByRole('button', { name: 'Send again' }).click();
  await page.getByText(/sent again: answered 200/).waitFor();
  expect(received).toEqual([
    { seq: received[0]?.seq, redelivery: false },
    { seq: received[0]?.seq, redelivery: true },
  ]);
  await page.getByText('delivered (sent again)').waitFor();
});
