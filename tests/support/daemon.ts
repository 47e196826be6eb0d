// A whole mail daemon in this process for protocol tests: its own fresh
// database (SQLite or PostgreSQL), its own data dir, every listener on port 0
// of a loopback address unless the test says otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../prisma/database.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';
import { startDaemon, type RunningDaemon } from '../../mail-daemon/startup/daemon.ts';
import type { Service } from '../../mail-daemon/startup/services.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

export interface TestDaemon extends RunningDaemon {
  database: TestDatabase;
  dataDir: string;
  /** The port of a listener by its label, e.g. port('pop3s'). */
  port(label: string): number;
  dispose(): Promise<void>;
}

export async function startTestDaemon(engine: Engine, services: Service[], env: Record<string, string> = {}): Promise<TestDaemon> {
  const database = await createTestDatabase(engine);
  const dataDir = mkdtempSync(join(tmpdir(), 'mail-daemon-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    MAIL_HOSTNAME: 'mail.example.test',
    LISTEN_HOST: '127.0.0.1',
    SMTP_PORT: '0',
    SUBMISSION_PORT: '0',
    SUBMISSIONS_PORT: '0',
    POP3_PORT: '0',
    POP3S_PORT: '0',
    IMAP_PORT: '0',
    IMAPS_PORT: '0',
    WEB_PORT: 'off',
    ALLOW_PLAINTEXT_LOOPBACK: 'true',
    // Failing clients are slowed by the same rules, in milliseconds instead of seconds.
    LOGIN_DELAY_STEP: '1ms',
    ...env,
  } as unknown as NodeJS.ProcessEnv);
  const daemon = await startDaemon(config, services, () => undefined);
  return {
    ...daemon,
    database,
    dataDir,
    port(label: string) {
      for (const service of daemon.services) {
        const found = service.addresses.find((a) => a.label === label);
        if (found) return found.port;
      }
      throw new Error(`no listener labelled ${label}`);
    },
    async dispose() {
      await daemon.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
