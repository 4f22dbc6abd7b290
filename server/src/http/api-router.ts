import Router from '@koa/router';
import { z, type ZodType } from 'zod';
import type { FieldIssue } from '@cityhub/shared';
import { InputError } from '../errors';
import type { HubContext, HubMiddleware, HubState } from './context';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One API route described as data: validation and the OpenAPI document both come from it. */
export interface RouteSpec<
  P extends ZodType = ZodType,
  Q extends ZodType = ZodType,
  B extends ZodType = ZodType,
  R extends ZodType = ZodType,
> {
  method: HttpMethod;
  /** Koa path under the router's prefix, e.g. "/cities/:code". */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Status of a successful answer (default 200) and the schema of its body. */
  status?: number;
  response: R;
  /** Extra middleware (authentication, rate limits) run before validation. */
  before?: HubMiddleware[];
  /** Error codes this route documents besides validation. */
  errors?: string[];
}

type Out<T extends ZodType | undefined> = T extends ZodType ? z.output<T> : undefined;

export interface RouteInput<P extends ZodType, Q extends ZodType, B extends ZodType> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

export type RouteHandler<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType> = (
  input: RouteInput<P, Q, B>,
  ctx: HubContext,
) => Promise<z.input<R>> | z.input<R>;

function toIssues(error: z.ZodError, where: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

function parse(schema: ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toIssues(result.error, where);
  throw new InputError(
    `invalid ${where}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    issues,
  );
}

interface Entry {
  spec: RouteSpec;
  run: HubMiddleware;
}

/**
 * A router whose routes are declared with RouteSpecs: each request is
 * validated against the spec's zod schemas (the ones in `shared/`) before the
 * handler runs, and the handler receives the parsed values, never raw input.
 * Domain routers are built with their own prefix and mounted with `use`.
 */
export class ApiRouter {
  private readonly entries: Entry[] = [];

  constructor(readonly prefix: string) {}

  /** Every route with its full path under this router, for the OpenAPI document. */
  get specs(): RouteSpec[] {
    return this.entries.map((e) => ({ ...e.spec, path: this.prefix + e.spec.path }));
  }

  route<P extends ZodType, Q extends ZodType, B extends ZodType, R extends ZodType>(
    spec: RouteSpec<P, Q, B, R>,
    handler: RouteHandler<P, Q, B, R>,
  ): this {
    const run: HubMiddleware = async (ctx) => {
      const input: unknown = {
        params: parse(spec.params, ctx.params, 'params'),
        query: parse(spec.query, ctx.query, 'query'),
        body: parse(spec.body, ctx.request.body ?? {}, 'body'),
      };
      // Each part was just parsed by the spec's own schema, which is what RouteInput names.
      const result = await handler(input as RouteInput<P, Q, B>, ctx);
      ctx.status = spec.status ?? 200;
      ctx.body = result === undefined || ctx.status === 204 ? null : result;
    };
    this.entries.push({ spec: spec, run });
    return this;
  }

  /** Mounts another ApiRouter's routes under this one's prefix. */
  use(child: ApiRouter): this {
    for (const entry of child.entries) {
      this.entries.push({ spec: { ...entry.spec, path: child.prefix + entry.spec.path }, run: entry.run });
    }
    return this;
  }

  /**
   * The Koa middleware serving every route (405 with Allow for a known path,
   * wrong method). Routes are grouped by their first path segment, one Koa
   * router per group, and a request goes straight to its group's router: a
   * request is matched against a handful of routes, not all of them (issue 8).
   */
  middleware(): HubMiddleware[] {
    const groups = new Map<string, Entry[]>();
    for (const entry of this.entries) {
      const first = /^\/([^/:*?(){}]+)(?:\/|$)/.exec(entry.spec.path)?.[1]?.toLowerCase();
      // A route starting with a parameter could match any segment: keep the one router for all.
      if (first === undefined) return [this.routerFor(this.entries)];
      groups.set(first, [...(groups.get(first) ?? []), entry]);
    }
    const dispatch = new Map([...groups].map(([segment, entries]) => [segment, this.routerFor(entries)]));
    const prefix = this.prefix.toLowerCase();
    const routeByGroup: HubMiddleware = async (ctx, next) => {
      const path = ctx.path;
      // @koa/router matches case-insensitively and ignores a trailing slash; so does this lookup.
      if (path.length <= prefix.length || path[prefix.length] !== '/' || path.slice(0, prefix.length).toLowerCase() !== prefix) {
        await next();
        return;
      }
      const end = path.indexOf('/', prefix.length + 1);
      const segment = path.slice(prefix.length + 1, end < 0 ? undefined : end).toLowerCase();
      const group = dispatch.get(segment);
      // Koa types a middleware's result as `any`: awaited here rather than returned.
      if (group) await group(ctx, next);
      else await next();
    };
    return [routeByGroup];
  }

  /** One Koa router over these routes, with its 405 answers, as one middleware. */
  private routerFor(entries: Entry[]): HubMiddleware {
    const router = new Router<HubState>({ prefix: this.prefix });
    for (const { spec, run } of entries) {
      router[spec.method](spec.path || '/', ...(spec.before ?? []), run);
    }
    const routes = router.routes() as unknown as HubMiddleware;
    const allowed = router.allowedMethods({ throw: true }) as unknown as HubMiddleware;
    return async (ctx, next) => {
      await routes(ctx, async () => {
        await allowed(ctx, next);
      });
    };
  }
}
