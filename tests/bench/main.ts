// `npm run bench -- <name> [...]`: runs tests/bench/<name>.ts for each name,
// or every benchmark in this folder when no name is given.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'main.ts').map((f) => f.slice(0, -3)).sort();
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = names.length > 0 ? names : available;
for (const name of chosen) {
  if (!available.includes(name)) {
    console.error(`no benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(1);
  }
}
for (const name of chosen) {
  console.log(`== ${name}`);
  const bench = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run(): Promise<void> };
  await bench.run();
}
process.exit(0);
