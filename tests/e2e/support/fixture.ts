/**
 * The set-up the reader's end-to-end files share: one Chromium for the file, a fresh
 * server (its own Redis prefix) for each test, and everything a test opened closed after
 * it. Call at the top of a test file; read `browser` and `server` inside the tests.
 */
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../support/chromium';
import { closeAll, startServer, type TestServer } from '../../support/harness';

export interface BrowserAndServer {
  readonly browser: Browser;
  readonly server: TestServer;
}

export function browserAndServerPerTest(): BrowserAndServer {
  let browser: Browser | null = null;
  let server: TestServer | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(closeAll);
  return {
    get browser(): Browser {
      if (!browser) throw new Error('the browser is launched in beforeAll: read it inside a test');
      return browser;
    },
    get server(): TestServer {
      if (!server) throw new Error('the server is started in beforeEach: read it inside a test');
      return server;
    },
  };
}

/**
 * The set-up the console's end-to-end files share: one Chromium and one server for the
 * whole file, prepared once (accounts, say), and everything closed after the file.
 */
export function browserAndServerPerFile(prepare: (server: TestServer) => Promise<void>): BrowserAndServer {
  let browser: Browser | null = null;
  let server: TestServer | null = null;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await prepare(server);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await closeAll();
  });
  return {
    get browser(): Browser {
      if (!browser) throw new Error('the browser is launched in beforeAll: read it inside a test');
      return browser;
    },
    get server(): TestServer {
      if (!server) throw new Error('the server is started in beforeAll: read it inside a test');
      return server;
    },
  };
}
