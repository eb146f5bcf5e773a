/** The closed table of error codes and the HTTP status each one maps to. */
export const ERROR_STATUS = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  stale_version: 412,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** A refused Socket.IO request: its ack carries the same error as an HTTP answer would. */
export interface RefusedAck extends ErrorBody {
  ok: false;
}

/** The `data` of a refused Socket.IO connection (its message says why, for people). */
export interface ConnectRefusalData {
  code: ErrorCode;
}

/** An expected failure, carried as a value with a code; mapped to HTTP or an ack in one place. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `rate_limited` and `unavailable`: when to try again, in seconds (the Retry-After header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
