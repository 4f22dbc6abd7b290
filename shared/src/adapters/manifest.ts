import { z } from 'zod';
import { MAX_FEN } from '../money';

/** The five kinds of city service a provider can offer. */
export const categorySchema = z.enum(['electricity', 'water', 'gas', 'highway_toll', 'traffic_fine']);
export type Category = z.infer<typeof categorySchema>;

/** Chinese names residents see for each category. */
export const CATEGORY_LABELS: Record<Category, string> = {
  electricity: '电费',
  water: '水费',
  gas: '燃气费',
  highway_toll: '高速通行费',
  traffic_fine: '交通违法',
};

export const maskRuleSchema = z.enum(['none', 'tail4', 'account', 'plate', 'name', 'full']);

const isValidRegex = (source: string) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

/** One field a resident fills to identify an account (BBPS "customer params" style). */
export const accountFieldSchema = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/, 'field name must be an identifier (letters, digits, _)'),
    label: z.string().min(1).max(32),
    placeholder: z.string().max(64).optional(),
    dataType: z.enum(['numeric', 'alphanumeric', 'plate', 'text']),
    pattern: z.string().max(200).refine(isValidRegex, 'pattern must be a valid regular expression').optional(),
    minLength: z.number().int().min(0).max(64).default(1),
    maxLength: z.number().int().min(1).max(64).default(32),
    optional: z.boolean().default(false),
    mask: maskRuleSchema.default('account'),
  })
  .refine((f) => f.minLength <= f.maxLength, { message: 'minLength must not exceed maxLength', path: ['minLength'] });
export type AccountField = z.infer<typeof accountFieldSchema>;

export const paymentRulesSchema = z
  .strictObject({
    mode: z.enum(['exact', 'partial']),
    minFen: z.number().int().min(1).max(MAX_FEN),
    maxFen: z.number().int().min(1).max(MAX_FEN),
    /** At most this many bills in one order (enforced when the order is created). */
    maxBills: z.number().int().min(1).max(20).default(20),
    /**
     * `order`: one write-off call for the whole order. `bill`: one call per
     * bill, each with its own payment number derived from the order number
     * (`<orderNo>B01`, `B02` …); refused bills are refunded, the rest completed.
     */
    writeOffPer: z.enum(['order', 'bill']).default('order'),
  })
  .refine((r) => r.minFen <= r.maxFen, { message: 'minFen must not exceed maxFen', path: ['minFen'] });
export type PaymentRules = z.infer<typeof paymentRulesSchema>;

export const coverageSchema = z
  .strictObject({
    nationwide: z.boolean().default(false),
    provinces: z.array(z.string().regex(/^\d{2}$/, 'province codes are two digits (GB/T 2260 prefix)')).default([]),
    cities: z.array(z.string().regex(/^\d{6}$/, 'city codes are six digits (GB/T 2260)')).default([]),
  })
  .refine((c) => c.nationwide || c.provinces.length > 0 || c.cities.length > 0, {
    message: 'coverage needs nationwide, provinces or cities',
  });
export type Coverage = z.infer<typeof coverageSchema>;

const secretRefSchema = z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'secret references are lower-case names like "grid-hmac"');

/**
 * How the hub authenticates to the provider. HMAC-SHA256 signs the canonical
 * string METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nSHA256_HEX(BODY) and sends
 * X-Key-Id, X-Timestamp (unix seconds), X-Nonce and X-Signature (hex).
 */
export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('bearer'), secretRef: secretRefSchema }),
  z.strictObject({ type: z.literal('hmac-sha256'), keyId: z.string().min(1).max(64), secretRef: secretRefSchema }),
]);

/**
 * How bodies travel: requests as JSON, form-encoded `k=v&…` or XML under
 * `xmlRoot`; answers read as JSON or XML (the root element stripped, every
 * value kept as text, so a code "0000" stays "0000").
 */
export const wireSchema = z.strictObject({
  request: z.enum(['json', 'form', 'xml']).default('json'),
  response: z.enum(['json', 'xml']).default('json'),
  xmlRoot: z.string().regex(/^[A-Za-z_][\w-]{0,63}$/, 'an XML element name').default('xml'),
});
export type Wire = z.infer<typeof wireSchema>;

/**
 * Signing as Chinese provider gateways do it: the request's top-level
 * parameters (the body's fields, or the query's for a GET) with empty values
 * and the signature itself left out, sorted by name and joined as
 * `k=v&k2=v2`; then MD5 or SM3 over that plus `&<keyParam>=<key>`
 * (or the bare key when keyParam is null), HMAC-SHA256 with the key, or an
 * RSA-SHA256 / SM2 signature with a private key. The signature goes into a
 * parameter or a header. Answers can be verified the same way.
 */
export const signingSchema = z.strictObject({
  algorithm: z.enum(['md5', 'hmac-sha256', 'rsa-sha256', 'sm3', 'sm2']),
  /** The shared key (md5, hmac-sha256, sm3) or our private key (rsa-sha256: PEM; sm2: hex). */
  secretRef: secretRefSchema,
  keyParam: z.string().regex(/^\w{1,32}$/).nullable().default('key'),
  exclude: z.array(z.string().min(1).max(64)).max(20).default([]),
  placement: z
    .discriminatedUnion('in', [
      z.strictObject({ in: z.literal('param'), name: z.string().regex(/^[\w-]{1,64}$/) }),
      z.strictObject({ in: z.literal('header'), name: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) }),
    ])
    .default({ in: 'param', name: 'sign' }),
  output: z.enum(['hex-upper', 'hex-lower', 'base64']).default('hex-upper'),
  /**
   * Verify the provider's answers: the signature is this field of the answer,
   * over its other top-level fields. md5, hmac-sha256 and sm3 use the same
   * key; rsa-sha256 and sm2 the provider's public key named here.
   */
  verifyResponse: z.strictObject({ field: z.string().min(1).max(64), publicKeyRef: secretRefSchema.optional() }).optional(),
});
export type Signing = z.infer<typeof signingSchema>;

export const transportSchema = z
  .strictObject({
    baseUrl: z.url().refine((u) => /^https?:\/\//.test(u), 'baseUrl must be http(s)'),
    timeoutMs: z.number().int().min(50).max(30000).default(3000),
    auth: authSchema,
    wire: wireSchema.default({ request: 'json', response: 'json', xmlRoot: 'xml' }),
    signing: signingSchema.optional(),
  })
  .refine((t) => !t.signing?.verifyResponse || !['rsa-sha256', 'sm2'].includes(t.signing.algorithm) || t.signing.verifyResponse.publicKeyRef, {
    message: "verifying rsa-sha256 or sm2 answers needs the provider's public key (publicKeyRef)",
    path: ['signing', 'verifyResponse', 'publicKeyRef'],
  });

/** A JSONata expression, kept as source; the hub compiles it when the manifest is registered. */
export const jsonataSchema = z.string().min(1).max(4000);

/**
 * One provider operation: the HTTP request (each part a JSONata expression
 * over the operation's input) and how to read the answer (JSONata over
 * `{ status, body }`).
 */
export const operationSchema = z.strictObject({
  request: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT']),
    path: jsonataSchema.describe('JSONata producing the path, e.g. "/customers/" & account.customerNo'),
    query: jsonataSchema.optional().describe('JSONata producing an object of query parameters'),
    body: jsonataSchema.optional().describe('JSONata producing the JSON body'),
  }),
  response: z.strictObject({
    success: jsonataSchema.describe('JSONata over {status, body}: true when the provider says the call succeeded'),
    errorCode: jsonataSchema.optional().describe("JSONata over {status, body}: the provider's error code when not successful"),
    map: jsonataSchema.describe("JSONata over {status, body}: the operation's output"),
  }),
});

/** Error kinds a provider error code may be mapped onto. */
export const providerErrorKindSchema = z.enum([
  'PROVIDER_ACCOUNT_NOT_FOUND',
  'NO_ARREARS',
  'SERVICE_WINDOW_CLOSED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_REJECTED',
]);
export type ProviderErrorKind = z.infer<typeof providerErrorKindSchema>;

const identityShape = {
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/, 'id is lower-case letters, digits and dashes, 3–64 long'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'version is semantic: MAJOR.MINOR.PATCH'),
  name: z.string().min(1).max(64),
  providerName: z.string().min(1).max(64),
  category: categorySchema,
  coverage: coverageSchema,
};

/** A provider described entirely as data: HTTP requests and JSONata mappings. */
export const manifestSchema = z
  .strictObject({
    ...identityShape,
    kind: z.literal('http').default('http'),
    accountFields: z.array(accountFieldSchema).min(1).max(8),
    paymentRules: paymentRulesSchema,
    amountUnit: z.enum(['fen', 'yuan']).describe('how the provider writes amounts: integer fen, or yuan strings like "12.30"'),
    transport: transportSchema,
    operations: z.strictObject({
      lookupAccount: operationSchema,
      queryBills: operationSchema,
      writeOff: operationSchema,
      writeOffStatus: operationSchema,
      health: operationSchema.optional(),
    }),
    errorCodes: z.record(z.string().min(1).max(64), providerErrorKindSchema).default({}),
    /**
     * For a provider with no health operation: the hub probes it by looking
     * up this account; any answer (found or not found) means it is up.
     */
    healthProbe: z.strictObject({ account: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/), z.string().max(64)) }).optional(),
  })
  .superRefine((m, ctx) => {
    const names = m.accountFields.map((f) => f.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['accountFields', i, 'name'], message: `duplicate field name "${name}"` });
    });
  })
  .meta({ id: 'AdapterManifest' });

export type AdapterManifest = z.infer<typeof manifestSchema>;
export type AdapterManifestInput = z.input<typeof manifestSchema>;

/**
 * A provider served by a TypeScript class of the hub (`implementation`), for
 * what a manifest cannot express. A variant of an existing provider is one of
 * these with other coverage, transport or payment rules: no new code.
 */
export const codeManifestSchema = z
  .strictObject({
    ...identityShape,
    kind: z.literal('code'),
    implementation: z.string().regex(/^[a-z][a-z0-9-]{2,63}$/, 'implementation names a built-in adapter class'),
    paymentRules: paymentRulesSchema,
    transport: transportSchema,
  })
  .meta({ id: 'CodeAdapterManifest' });

export type CodeAdapterManifest = z.infer<typeof codeManifestSchema>;
export type AnyAdapterManifest = AdapterManifest | CodeAdapterManifest;

/** Validates either kind of manifest, choosing the schema by `kind` so errors name the right paths. */
export function parseManifest(input: unknown) {
  const kind = input && typeof input === 'object' ? (input as { kind?: unknown }).kind : undefined;
  return kind === 'code' ? codeManifestSchema.safeParse(input) : manifestSchema.safeParse(input);
}
