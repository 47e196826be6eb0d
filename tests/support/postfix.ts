// Postfix beside our daemon, for benchmarks that compare the two: Debian's
// postfix as a throwaway instance (its own config, queue and mail folders in
// a temporary directory; `postfix -c` never touches /etc/postfix) with smtpd
// on one loopback address and port, accepting mail for bench.test, no DNS and
// no reverse lookups. Mail goes to a Maildir with Postfix's virtual agent, or
// over LMTP to the given port (Dovecot); mail for other domains to the
// relayhost given in settings (a sink), when holdRemote(false) lets it. Null when Postfix is not installed or
// we are not root (master must start as root to drop to the postfix user).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from './dovecot.ts';

const POSTFIX = '/usr/sbin/postfix';
export const POSTFIX_DOMAIN = 'bench.test';

export interface RunningPostfix {
  host: string;
  port: number;
  /** The master process: every Postfix process of this instance descends from it. */
  pid: number;
  /** "3.7.11" */
  version: string;
  /** Messages delivered into the Maildir so far (virtual delivery only). */
  delivered(): number;
  /** Holds mail for remote domains in the queue (true), or lets it go and flushes the queue (false). */
  holdRemote(hold: boolean): void;
  stop(): void;
}

// Every service Postfix needs to take mail in and deliver it, none chrooted
// (a chroot would need copies of /etc files in the temporary queue folder).
const MASTER_SERVICES = `
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

export async function startPostfix(options: { host: string; port: number; lmtpPort?: number; settings?: string }): Promise<RunningPostfix | null> {
  if (!existsSync(POSTFIX) || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-postfix-'));
  chmodSync(dir, 0o755);
  const etc = join(dir, 'etc');
  const mail = join(dir, 'mail');
  for (const sub of ['etc', 'spool', 'data']) mkdirSync(join(dir, sub));
  mkdirSync(join(mail, 'bench', 'new'), { recursive: true });
  spawnSync('chown', ['-R', 'nobody:nogroup', mail]);
  spawnSync('chown', ['postfix', join(dir, 'data')]);
  const transport = options.lmtpPort ? `virtual_transport = lmtp:inet:127.0.0.1:${options.lmtpPort}` : '';
  writeFileSync(
    join(etc, 'main.cf'),
    `compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
myhostname = postfix.bench.test
# Only addresses configured on an interface are allowed here; smtpd binds the
# address master.cf names.
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
virtual_mailbox_domains = ${POSTFIX_DOMAIN}
virtual_mailbox_base = ${mail}
virtual_mailbox_maps = static:bench/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
${transport}
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
disable_dns_lookups = yes
smtpd_peername_lookup = no
${options.settings ?? ''}
`,
  );
  writeFileSync(join(etc, 'master.cf'), `${options.host}:${options.port} inet n - n - - smtpd\n${MASTER_SERVICES}`);
  const postfix = (command: string) => spawnSync(POSTFIX, ['-c', etc, command], { encoding: 'utf8' });
  const started = postfix('start');
  if (started.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    // Postfix logs its reason to syslog, or to stderr when that is a terminal.
    throw new Error(`postfix start failed; see: script -qc "postfix -c <dir> check" /dev/null`);
  }
  await waitForPort(options.port, options.host);
  const version = spawnSync('/usr/sbin/postconf', ['-c', etc, '-h', 'mail_version'], { encoding: 'utf8' }).stdout.trim();
  return {
    host: options.host,
    port: options.port,
    pid: Number(readFileSync(join(dir, 'spool', 'pid', 'master.pid'), 'utf8').trim()),
    version,
    delivered: () => readdirSync(join(mail, 'bench', 'new')).length,
    holdRemote(hold) {
      spawnSync('/usr/sbin/postconf', ['-c', etc, '-e', `defer_transports = ${hold ? 'relay smtp' : ''}`]);
      postfix('reload');
      if (!hold) spawnSync('/usr/sbin/postqueue', ['-c', etc, '-f']);
    },
    stop() {
      postfix('stop');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
