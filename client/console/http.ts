/**
 * How the console talks to the server (which routes it calls is api.ts): JSON in and
 * out, the session cookie sent by the browser, the session's CSRF token on every write,
 * and errors as values with the contract's code and message.
 */
import type { SessionInfo } from '../../shared/console';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole answer, for errors that carry more than the message (a draft's 412). */
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

/** The request never got an answer (offline, server away): safe to retry with the same Idempotency-Key. */
export class NetworkError extends Error {}

let csrfToken = '';
let sessionEnded: (() => void) | null = null;

export function useSession(session: SessionInfo | null): void {
  csrfToken = session?.csrfToken ?? '';
}

/**
 * Called when a request made within a session is answered 401: the session ended on the
 * server (expired, signed out elsewhere, password changed, account disabled).
 */
export function onSessionEnded(handler: (() => void) | null): void {
  sessionEnded = handler;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** The request signs in: its 401 is a refused password, not a session that ended. */
  signingIn?: boolean;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new NetworkError('No connection to the server. Nothing was lost: try again.');
  }
  return answerOf<T>(response.status, response.statusText, await response.text(), options.signingIn === true);
}

/** The JSON of an answer, or the ApiError it stands for. */
function answerOf<T>(status: number, statusText: string, text: string, signingIn: boolean): T {
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (status < 200 || status > 299) {
    if (status === 401 && csrfToken !== '' && !signingIn) sessionEnded?.();
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(status, error?.code ?? 'unknown', error?.message ?? `${status} ${statusText}`, json);
  }
  return json as T;
}

/**
 * Sends a file as the raw body of a POST, reporting how much of it went (0-1): fetch cannot
 * tell upload progress, XMLHttpRequest can. Same session, CSRF token and errors as request().
 */
export function upload<T>(path: string, file: Blob, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      try {
        resolve(answerOf<T>(xhr.status, xhr.statusText, xhr.responseText, false));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    const offline = (): void => reject(new NetworkError('No connection to the server: the photo was not sent. Try again.'));
    xhr.addEventListener('error', offline);
    xhr.addEventListener('abort', offline);
    xhr.send(file);
  });
}

/** A message for people: the server's own sentence, without the field prefix when it is obvious. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError || error instanceof NetworkError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
