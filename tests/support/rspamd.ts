// Debian's Rspamd for tests: in the foreground with a throwaway local config
// (the packaged rspamd.conf, its LOCAL_CONFDIR, DBDIR, RUNDIR and LOGDIR
// pointed at a temporary folder), its workers on 127.0.9.1 (this work's
// loopback range), DNS through the test's DNS server. GTUBE test patterns are
// on, so a message body picks Rspamd's action (reject, add header, rewrite
// subject, no action), and a Subject containing SOFT_REJECT_SUBJECT forces
// "soft reject". Null when rspamd is not installed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestDnsServer } from './dns-server.ts';

const RSPAMD = '/usr/bin/rspamd';
const HOST = '127.0.9.1';
export const SOFT_REJECT_SUBJECT = 'rspamd-test-soft-reject';

/** The GTUBE line that makes Rspamd answer each action (enable_test_patterns). */
export const GTUBE = {
  reject: 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
  addHeader: 'YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
  rewriteSubject: 'ZJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X',
};

export interface RunningRspamd {
  url: string;
  stop(): Promise<void>;
}

export async function startRspamd(dns: TestDnsServer): Promise<RunningRspamd | null> {
  if (!existsSync(RSPAMD)) return null;
  const dir = mkdtempSync(join(tmpdir(), 'test-rspamd-'));
  const local = join(dir, 'local.d');
  for (const sub of ['local.d', 'db', 'run', 'log']) mkdirSync(join(dir, sub));
  const files: Record<string, string> = {
    'options.inc': `enable_test_patterns = true;\ndns { nameserver = ["${dns.host}:${dns.port}"]; timeout = 1s; retransmits = 1; }\n`,
    'worker-normal.inc': `bind_socket = "${HOST}:11333";\ncount = 1;\n`,
    'worker-controller.inc': `bind_socket = "${HOST}:11334";\n`,
    'worker-proxy.inc': `bind_socket = "${HOST}:11332";\ncount = 1;\n`,
    'logging.inc': 'type = "console";\nlevel = "error";\n',
    'multimap.conf': `TEST_SOFT_REJECT { type = "header"; header = "Subject"; regexp = true; map = "${join(dir, 'soft-reject.map')}"; }\n`,
    'force_actions.conf': 'rules { TEST_SOFT_REJECT { action = "soft reject"; expression = "TEST_SOFT_REJECT"; message = "Try again later (test rule)"; } }\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(local, name), text);
  writeFileSync(join(dir, 'soft-reject.map'), `/${SOFT_REJECT_SUBJECT}/i\n`);
  const user = userInfo();
  const child = spawn(
    RSPAMD,
    ['-f', '-i', '-u', user.username, '-g', String(user.gid), '-c', '/etc/rspamd/rspamd.conf', `--var=LOCAL_CONFDIR=${dir}`, `--var=DBDIR=${join(dir, 'db')}`, `--var=RUNDIR=${join(dir, 'run')}`, `--var=LOGDIR=${join(dir, 'log')}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors = (errors + chunk).slice(-4000)));
  const url = `http://${HOST}:11333`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Loading the rules takes seconds (more on a busy machine): wait for /ping.
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) break;
    const pong = await fetch(`${url}/ping`).then((r) => r.text(), () => '');
    if (pong.trim() === 'pong') return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`rspamd did not start: ${errors}`);
}
