// npm run db:migrate: applies committed migrations to DATABASE_URL (default: the embedded SQLite file).
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';

const config = loadConfig();
const applied = await migrate(config.databaseUrl);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database schema is up to date');
