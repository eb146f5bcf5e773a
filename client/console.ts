/**
 * The editors' console (served at /console): signs in, then shows the view named in the
 * URL fragment: #/ (briefings), #/b/<slug> (one briefing), #/profile, #/users, #/tokens, #/webhooks, #/audit.
 */
import type { SessionInfo } from '../shared/console';
import { SLUG_SOURCE } from '../shared/identifiers';
import { auditView, tokensView, usersView, webhooksView } from './console/admin';
import { profileView } from './console/profile';
import { briefingListView } from './console/briefing-list';
import { h, replace } from './console/dom';
import * as api from './console/api';
import { messageOf, onSessionEnded, useSession } from './console/http';
import { setupView, signInView } from './console/sign-in';
import { Workspace } from './console/workspace';

const app = document.getElementById('app') as HTMLElement;
let session: SessionInfo | null = null;
let workspace: Workspace | null = null;
/** Why the console is signed out, shown on the sign-in form. */
let signedOutNotice: string | null = null;
/** #/b/<slug>: one briefing's workspace. */
const BRIEFING_ROUTE = new RegExp(`^#\\/b\\/(${SLUG_SOURCE})$`);

// ---------- idle timeout ----------
// The console's background requests (queue, feed) keep the server's session alive, so a tab
// left open would never time out there: the console ends the session itself after the idle
// lifetime without activity, and says so, rather than failing on the next action.

/** Shared by the console's tabs, so that one idle tab does not sign out one in use. */
const ACTIVITY_KEY = 'livebrief.console.activity';
const IDLE_CHECK_MS = 30_000;
let lastActivity = Date.now();

function noteActivity(): void {
  const now = Date.now();
  if (now - lastActivity < 5_000) return;
  lastActivity = now;
  try {
    localStorage.setItem(ACTIVITY_KEY, String(now));
  } catch {
    // storage off: this tab's own activity still counts
  }
}

function latestActivity(): number {
  let shared = 0;
  try {
    shared = Number(localStorage.getItem(ACTIVITY_KEY)) || 0;
  } catch {
    // storage off
  }
  return Math.max(lastActivity, shared);
}

function duration(seconds: number): string {
  return seconds >= 3600 ? `${Math.round(seconds / 3600)} h` : `${Math.max(1, Math.round(seconds / 60))} min`;
}

function checkIdle(): void {
  if (!session || Date.now() - latestActivity() < session.idleSeconds * 1000) return;
  void endSession(`Signed out after ${duration(session.idleSeconds)} without activity. Sign in again: text in the composer is kept.`, true);
}

/** Shows the console signed out; `tellServer` ends the server's session too. */
async function endSession(notice: string, tellServer: boolean): Promise<void> {
  if (!session) return;
  if (tellServer) await api.logout().catch(() => undefined);
  session = null;
  useSession(null);
  signedOutNotice = notice;
  route();
}

for (const type of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'] as const) {
  window.addEventListener(type, noteActivity, { capture: true, passive: true });
}
window.setInterval(checkIdle, IDLE_CHECK_MS);
document.addEventListener('visibilitychange', checkIdle);
onSessionEnded(
  () =>
    void endSession(
      'Your session has ended (signed out elsewhere, or the account changed). Sign in again: text in the composer is kept.',
      false,
    ),
);

function topBar(current: SessionInfo): HTMLElement {
  const admin = current.user.role === 'admin';
  const link = (href: string, label: string): HTMLElement => {
    const active =
      href === '#/' ? location.hash === '' || location.hash === '#/' || location.hash.startsWith('#/b/') : location.hash.startsWith(href);
    return h('a', { href, 'aria-current': active ? 'page' : null }, label);
  };
  return h(
    'header',
    { class: 'topbar' },
    h('a', { href: '#/', class: 'brand' }, 'livebrief', h('span', { class: 'brand-sub' }, ' console')),
    h(
      'nav',
      { 'aria-label': 'Console' },
      link('#/', 'Briefings'),
      admin ? link('#/users', 'People') : null,
      admin ? link('#/tokens', 'Tokens') : null,
      admin ? link('#/webhooks', 'Webhooks') : null,
      admin ? link('#/audit', 'Audit') : null,
    ),
    h(
      'div',
      { class: 'me' },
      h('span', { class: 'me-name' }, current.user.name, h('span', { class: 'role' }, current.user.role)),
      link('#/profile', 'Your profile'),
      h('button', { type: 'button', class: 'small', onclick: () => void signOut() }, 'Sign out'),
    ),
  );
}

async function signOut(): Promise<void> {
  await api.logout().catch(() => undefined);
  session = null;
  useSession(null);
  signedOutNotice = null;
  route();
}

function signedIn(next: SessionInfo): void {
  session = next;
  useSession(next);
  signedOutNotice = null;
  lastActivity = 0;
  noteActivity();
  route();
}

function route(): void {
  workspace?.stop();
  workspace = null;
  const setup = /^#setup=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (!session) {
    replace(app, setup?.[1] ? setupView(setup[1], signedIn) : signInView(signedIn, signedOutNotice));
    return;
  }
  const current = session;
  const hash = location.hash || '#/';
  const briefing = BRIEFING_ROUTE.exec(hash);
  let view: HTMLElement;
  if (briefing?.[1]) {
    workspace = new Workspace(briefing[1], current.user);
    view = h('main', { class: 'page wide' }, workspace.root);
    workspace.start();
  } else if (hash === '#/profile') {
    view = profileView(current.user, (user) => {
      if (session) session = { ...session, user };
    });
  } else if (hash === '#/users' && current.user.role === 'admin') {
    view = usersView(current.user);
  } else if (hash === '#/tokens' && current.user.role === 'admin') {
    view = tokensView();
  } else if (hash === '#/webhooks' && current.user.role === 'admin') {
    view = webhooksView();
  } else if (hash === '#/audit' && current.user.role === 'admin') {
    view = auditView();
  } else {
    view = briefingListView(current.user);
  }
  replace(app, topBar(current), view);
  document.title = `${briefing?.[1] ?? 'Console'} · livebrief`;
}

window.addEventListener('hashchange', route);

api
  .getSession()
  .then((answer) => {
    session = answer.session;
    useSession(session);
    route();
  })
  .catch((error: unknown) => replace(app, h('p', { class: 'boot status error' }, `The console could not start: ${messageOf(error)}`)));
