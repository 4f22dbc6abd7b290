import { maskName, type AccountField, type CodeAdapterManifest } from '@cityhub/shared';
import type { z } from 'zod';
import { adapterErrors, type AdapterDescription } from '../contract';
import { sendProviderRequest, type ProviderRequest, type ProviderResponse } from '../http-transport';

/**
 * What every built-in code adapter shares: its description from the code
 * manifest plus the class's own account fields, and calls over the manifest's
 * transport (auth applied the same way as for manifest adapters).
 */
export abstract class CodeAdapterBase {
  protected abstract readonly accountFields: AccountField[];

  constructor(
    protected readonly manifest: CodeAdapterManifest,
    private readonly secret: string | undefined,
  ) {}

  describe(): AdapterDescription {
    const m = this.manifest;
    return {
      id: m.id,
      version: m.version,
      name: m.name,
      providerName: m.providerName,
      category: m.category,
      coverage: m.coverage,
      accountFields: this.accountFields,
      paymentRules: m.paymentRules,
      kind: 'code',
    };
  }

  protected send(request: ProviderRequest, signal?: AbortSignal): Promise<ProviderResponse> {
    return sendProviderRequest(this.manifest.transport, this.secret, request, signal);
  }

  /**
   * The provider's JSON body parsed with `schema` (zod), or a typed error: unavailable for a 5xx,
   * bad-response naming the first field that does not fit. Providers' answers are parsed, never cast.
   */
  protected parse<S extends z.ZodType>(response: ProviderResponse, schema: S): z.output<S> {
    if (response.status >= 500) throw adapterErrors.unavailable(`HTTP ${response.status}`);
    const parsed = schema.safeParse(response.body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'the body' : issue.path.map(String).join('.');
    throw adapterErrors.badResponse(`${where}: ${issue?.message ?? 'unreadable'} (HTTP ${response.status})`);
  }

  protected masked(name: unknown): string {
    if (typeof name !== 'string' || !name) throw adapterErrors.badResponse('the holder name is missing');
    return maskName(name);
  }
}
