// Writes both provider schemas from prisma/models.prisma and generates their
// clients into src/generated/. Runs after `npm install` (postinstall).
import { execFileSync } from 'node:child_process';

execFileSync('node', ['scripts/prisma-schemas.mjs'], { stdio: 'inherit' });
const urls = { sqlite: 'file:./data/consentline.db', postgres: 'postgresql://localhost/consentline' };
for (const [provider, url] of Object.entries(urls)) {
  execFileSync('npx', ['prisma', 'generate'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // The schema reads its URL from the environment even for generate.
    env: { ...process.env, CONSENTLINE_PRISMA_PROVIDER: provider, CONSENTLINE_PRISMA_URL: url },
  });
}
console.log('generated Prisma clients for sqlite and postgres in src/generated/');
