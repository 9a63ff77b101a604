// Prisma CLI configuration. The JS schema engine ("engine: js") runs migrations
// through the same driver adapters as the application, so the CLI needs no
// native schema-engine download. CONSENTLINE_PRISMA_PROVIDER picks the schema
// and migration history: sqlite (default) or postgres.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

const provider = process.env.CONSENTLINE_PRISMA_PROVIDER === 'postgres' ? 'postgres' : 'sqlite';
const url = process.env.CONSENTLINE_PRISMA_URL ?? 'file:./data/consentline.db';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  async adapter() {
    if (provider === 'postgres') {
      return new PrismaPg({ connectionString: url });
    }
    return new PrismaBetterSQLite3({ url });
  },
});
