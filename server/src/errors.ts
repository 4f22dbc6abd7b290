import { ERROR_STATUS, type ErrorCode, type FieldIssue } from '@cityhub/shared';

/**
 * Domain errors. Services throw these; the error middleware at the edge maps
 * each to its HTTP status and the one envelope. `expose` decides whether the
 * message is meant for people (4xx) or hidden behind a generic one (5xx).
 */
export class AppError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options: { expose?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = ERROR_STATUS[code];
    this.expose = options.expose ?? this.status < 500;
  }
}

export class InputError extends AppError {
  constructor(message: string, issues?: FieldIssue[], code: ErrorCode = 'VALIDATION_FAILED') {
    super(code, message, issues ? { issues } : undefined);
  }
}

export class NotFoundError extends AppError {
  // Narrows AppError's signature on purpose: a not-found error carries no details.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

export class ConflictError extends AppError {
  // Keeps AppError's options (expose, cause) out of conflicts, which are always shown as they are.
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'sign in first: a valid session token is required') {
    super('UNAUTHENTICATED', message);
  }
}
