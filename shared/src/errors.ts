import { z } from 'zod';

/**
 * Every error code the public API can answer with, and the HTTP status it
 * travels with. The mini-program maps codes to messages; the hub maps domain
 * errors to codes. One table so the two cannot drift.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  SIGNATURE_INVALID: 401,
  LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  CITY_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  ADAPTER_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  REPORT_NOT_FOUND: 404,
  HOUSEHOLD_NOT_FOUND: 404,
  HOUSEHOLD_INVITE_INVALID: 410,
  HOUSEHOLD_LIMIT_REACHED: 409,
  HOUSEHOLD_ALREADY_MEMBER: 409,
  ACCOUNT_IN_HOUSEHOLD: 409,
  GATEWAY_UNAVAILABLE: 502,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  BILL_ALREADY_IN_ORDER: 409,
  ACCOUNT_ALREADY_BOUND: 409,
  /** The provider places the account in another city than the one chosen (details: cityCode, cityName). */
  ACCOUNT_IN_OTHER_CITY: 422,
  /** A preview to confirm is unknown, expired, used, or another resident's. */
  PREVIEW_EXPIRED: 410,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  IDEMPOTENCY_KEY_REUSED: 422,
  INVALID_MANIFEST: 422,
  NO_ARREARS: 422,
  PROVIDER_ACCOUNT_NOT_FOUND: 422,
  PROVIDER_REJECTED: 422,
  VERIFICATION_REQUIRED: 409,
  COVERAGE_CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  PROVIDER_BAD_RESPONSE: 502,
  PROVIDER_UNKNOWN_ERROR: 502,
  PROVIDER_UNAVAILABLE: 503,
  SERVICE_WINDOW_CLOSED: 503,
  NOT_READY: 503,
  PROVIDER_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const errorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: errorCodeSchema,
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });

export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** One invalid input path, as listed in VALIDATION_FAILED and INVALID_MANIFEST details. */
export const fieldIssueSchema = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof fieldIssueSchema>;
/** The details of VALIDATION_FAILED and INVALID_MANIFEST: every invalid path at once. */
export const fieldIssueDetailsSchema = z.object({ issues: z.array(fieldIssueSchema) });
