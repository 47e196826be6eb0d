// Prisma's schema engine as WebAssembly, loaded by hand because Node 20 cannot
// import .wasm modules without --experimental-wasm-modules. Used to write
// migrations (diff) and to apply them at start (like `prisma migrate deploy`).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

let loaded: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('@prisma/schema-engine-wasm').replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    (bindings as any).__wbg_set_wasm(instance.exports);
    (instance.exports as any).__wbindgen_start?.();
  })();
  return loaded;
}

export async function openSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  datamodel?: { path: string; content: string },
): Promise<SchemaEngine> {
  await loadWasm();
  const SchemaEngineClass = (bindings as any).SchemaEngine as typeof SchemaEngine;
  const log = (message: string) => {
    if (process.env.PRISMA_SCHEMA_ENGINE_LOG) console.error('[schema-engine]', message);
  };
  return SchemaEngineClass.new(
    { datamodels: datamodel ? [[datamodel.path, datamodel.content]] : undefined },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory.provider === 'sqlite' ? withSqliteScripts(adapterFactory) : adapterFactory),
  );
}

// The engine hands whole migration scripts to executeRaw, which better-sqlite3
// refuses ("more than one statement"); run parameterless ones as a script.
function withSqliteScripts(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const patch = <T extends { executeRaw: Function; executeScript: Function }>(adapter: T): T => {
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query: { sql: string; args: unknown[] }) => {
      if (query.args.length === 0 && /;\s*\S/.test(query.sql)) {
        await adapter.executeScript(query.sql);
        return 0;
      }
      return executeRaw(query);
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  } as SqlMigrationAwareDriverAdapterFactory;
}
