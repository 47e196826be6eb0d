// A worker thread's code as one JavaScript module: the delivery thread's
// (delivery-thread.ts) and the message preparation thread's
// (delivery/preparation-thread.ts), each bundled by esbuild (the compiler tsx
// runs on) when the daemon starts the thread. Through tsx instead
// (delivery-thread-boot.mjs), the thread registers tsx's hooks for itself,
// since a worker does not share its process's in Node 20, and keeps them and
// every source they transformed: about 25 MB more of the daemon's memory
// (issue 11, hostile bench: at rest 307 -> 283 MB). Bundling takes about 70
// ms. The file goes under node_modules/.cache, so that its imports of
// packages resolve as they do from the sources, and is named by its contents,
// so daemons that start together, or again, share it. When it cannot be built or written, the
// thread runs through tsx, as before.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { basename, dirname, join } from 'node:path';

export interface ThreadModule {
  /** The module the worker starts with. */
  url: URL;
  /** What that module needs to know besides the thread's own settings. */
  workerData: { entry?: string };
}

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.cache', 'mail-daemon');

async function bundled(source: URL): Promise<URL> {
  const esbuild = await import('esbuild');
  // esbuild's service (a process of its own) is not kept for the daemon's life.
  const { outputFiles } = await esbuild
    .build({ entryPoints: [fileURLToPath(source)], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', write: false, logLevel: 'silent' })
    .finally(() => esbuild.stop());
  const code = outputFiles[0].contents;
  const name = basename(fileURLToPath(source), '.ts');
  const file = join(CACHE, `${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    await mkdir(CACHE, { recursive: true });
    // Written aside, then renamed: a thread starting meanwhile never reads half a file.
    const aside = `${file}.${process.pid}.${Date.now()}`;
    await writeFile(aside, code);
    await rename(aside, file);
  }
  return pathToFileURL(file);
}

async function built(source: URL): Promise<ThreadModule> {
  try {
    return { url: await bundled(source), workerData: {} };
  } catch {
    return { url: new URL('./delivery-thread-boot.mjs', import.meta.url), workerData: { entry: source.href } };
  }
}

const modules = new Map<string, Promise<ThreadModule>>();
// One build at a time: each stops esbuild's service when it ends, and a build
// under way when another stopped it never settled (both threads waited).
let lastBuild: Promise<unknown> = Promise.resolve();

/** The module of the thread whose entry is `source`, built once per process (esbuild's service stops after it). */
export function threadModule(source: URL): Promise<ThreadModule> {
  let module = modules.get(source.href);
  if (!module) {
    module = lastBuild.then(() => built(source));
    lastBuild = module;
    modules.set(source.href, module);
  }
  return module;
}

export function deliveryThreadModule(): Promise<ThreadModule> {
  return threadModule(new URL('./delivery-thread.ts', import.meta.url));
}
