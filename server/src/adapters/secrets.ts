import type { DataSource, Repository } from 'typeorm';
import type { SecretBox } from '../infra/secret-box';
import { SecretEntity, type SecretRow } from './entities';

/** Provider credentials by name, sealed at rest. Values leave only towards the provider. */
export class SecretStore {
  private readonly repo: Repository<SecretRow>;

  constructor(
    dataSource: DataSource,
    private readonly box: SecretBox,
  ) {
    this.repo = dataSource.getRepository(SecretEntity);
  }

  async put(name: string, value: string): Promise<void> {
    await this.repo.save({ name, sealed: this.box.seal(value), updatedAt: new Date() });
  }

  /** The plain value, for signing provider requests; undefined when no such secret exists. */
  async reveal(name: string): Promise<string | undefined> {
    const row = await this.repo.findOneBy({ name });
    return row ? this.box.open(row.sealed) : undefined;
  }

  async names(): Promise<Array<{ name: string; updatedAt: Date }>> {
    const rows = await this.repo.find({ order: { name: 'ASC' } });
    return rows.map((r) => ({ name: r.name, updatedAt: r.updatedAt }));
  }
}
