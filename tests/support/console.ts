/**
 * Console test helpers: accounts made straight in the store, sessions signed in over
 * HTTP (cookie + CSRF token) or in headless Chromium, and console sockets.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ConsoleClientEvents, ConsoleServerEvents, PublicUser, Role, SessionInfo } from '../../shared/console';
import { hashPassword } from '../../server/auth/passwords';
import { connected, onTestEnd, type TestServer } from './harness';

export const PASSWORD = 'correct horse battery staple';

export async function addUser(server: TestServer, username: string, name: string, role: Role, password = PASSWORD): Promise<PublicUser> {
  const record = await server.app.console.users.create({ username, name, role, passwordHash: await hashPassword(password) });
  return { id: record.id, username, name, role, disabled: false, createdAt: record.createdAt, roleLine: null, avatarUrl: null };
}

/** A signed-in HTTP client: the session cookie and its CSRF token, sent the way the console sends them. */
export class SessionClient {
  constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    readonly csrfToken: string,
  ) {}

  async request<T = Record<string, unknown>>(
    method: string,
    pathname: string,
    body?: unknown,
    options: { csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const headers: Record<string, string> = { cookie: this.cookie, origin: this.baseUrl, ...options.headers };
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    if (csrf !== null) headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
  }
}

export async function login(
  baseUrl: string,
  username: string,
  password = PASSWORD,
): Promise<{ status: number; client: SessionClient | null; body: unknown; headers: Headers }> {
  const response = await fetch(`${baseUrl}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as unknown;
  if (response.status !== 200) return { status: response.status, client: null, body, headers: response.headers };
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { status: 200, client: new SessionClient(baseUrl, cookie, (body as SessionInfo).csrfToken), body, headers: response.headers };
}

export type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;

/** Connects to the console namespace with a cookie (or none); resolves on connect, rejects with the refusal. */
export async function connectConsole(baseUrl: string, headers: Record<string, string>): Promise<ConsoleSocket> {
  const socket: ConsoleSocket = connectSocket(`${baseUrl}/console`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: headers,
  });
  await connected(socket, 'console socket did not connect');
  return socket;
}

// ---------- the browser ----------

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1440, height: 900 };

export type ConsoleSession = Awaited<ReturnType<BrowserContext['storageState']>>;

/**
 * A console page signed in through the form, or, given a `session` from `consoleSession`,
 * opened with its cookie (no argon2 check per page). The context closes when the test ends.
 */
export async function signInPage(
  browser: Browser,
  baseUrl: string,
  username: string,
  options: {
    viewport?: { width: number; height: number };
    hash?: string;
    colorScheme?: 'light' | 'dark';
    session?: ConsoleSession;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? DESKTOP,
    deviceScaleFactor: 1,
    ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
    ...(options.session ? { storageState: options.session } : {}),
  });
  onTestEnd(() => context.close());
  const page = await context.newPage();
  await page.goto(`${baseUrl}/console${options.hash ?? ''}`);
  if (!options.session) {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.locator('.topbar').waitFor();
  return { context, page };
}

/** Signs in once through the form and keeps the session's cookie, for many `signInPage`s. */
export async function consoleSession(browser: Browser, baseUrl: string, username: string): Promise<ConsoleSession> {
  const { context } = await signInPage(browser, baseUrl, username);
  const session = await context.storageState();
  await context.close();
  return session;
}

/** Opens a briefing's workspace and waits until its live feed has its first snapshot. */
export async function openBriefing(page: Page, slug: string): Promise<void> {
  await page.evaluate((target) => {
    location.hash = `#/b/${target}`;
  }, slug);
  await page.locator('.title-row .badge').waitFor();
  await page.locator('.connection.live').waitFor();
  await page.locator('.presence .label').waitFor();
}
