import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Field names that identify a resident or grant access. Wherever they appear
 * in a logged object (up to three levels deep) pino replaces the value, so an
 * account number, plate or token can never reach the logs by accident.
 */
const SENSITIVE_KEYS = [
  'authorization',
  'cookie',
  'token',
  'accessToken',
  'sessionToken',
  'session_key',
  'sessionKey',
  'secret',
  'password',
  'accountNo',
  'accountNumber',
  'plate',
  'plateNo',
  'engineNo',
  'fields',
  'openid',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  return paths;
}

/** Creates the process logger: JSON lines, with sensitive fields redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cityhub' },
      redact: { paths: redactPaths(), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
