// Dovecot beside our daemon, for benchmarks that compare the two: Debian's
// dovecot in the foreground with a throwaway config, a static password and
// one Maildir user ("bench") holding the given messages, listening on a free
// loopback port for one protocol (imap or pop3), and with `lmtp` an LMTP
// listener (RFC 2033) that delivers into that Maildir, as Postfix hands mail
// to Dovecot. Null when that part of Dovecot is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const DOVECOT = '/usr/sbin/dovecot';
export const DOVECOT_USER = 'bench';
// Dovecot's static passdb splits its arguments at spaces.
export const DOVECOT_PASSWORD = 'bench-secret';
/** Dovecot never serves mail as root: the mail files belong to nobody. */
export const DOVECOT_UID = 65534;

export interface RunningDovecot {
  port: number;
  /** The master process: every Dovecot process of this instance descends from it. */
  pid: number;
  /** "2.3.19.1" */
  version: string;
  /** The LMTP listener's port when asked for. */
  lmtpPort?: number;
  /** Its configuration file, for doveadm -c. */
  config: string;
  /** Stops Dovecot and waits for its master to exit before removing its directory. */
  stop(): Promise<void>;
}


export async function waitForPort(port: number, host = '127.0.0.1'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

export interface DovecotOptions {
  /**
   * An argon2id hash of DOVECOT_PASSWORD (as hashPassword makes ours), so
   * that Dovecot checks the same hash as our daemon; without it, the static
   * passdb compares the plain password.
   */
  passwordHash?: string;
  /**
   * Dovecot's mail_location for the user, e.g. "mbox:/tmp/x" (its files
   * must belong to DOVECOT_UID), instead of a Maildir holding `messages`.
   */
  mailLocation?: string;
  /** An LMTP listener too (RFC 2033), delivering into the Maildir, as Postfix hands mail to Dovecot. */
  lmtp?: boolean;
  /** The loopback address its listeners take (127.0.0.1). */
  address?: string;
}

/** `settings`: more configuration, e.g. limits or `pop3_uidl_format`. */
export async function startDovecot(protocol: 'imap' | 'pop3', messages: Buffer[], settings = '', options: DovecotOptions = {}): Promise<RunningDovecot | null> {
  if (!existsSync(DOVECOT) || !existsSync(`/usr/lib/dovecot/${protocol}`)) return null;
  if (options.lmtp && !existsSync('/usr/lib/dovecot/lmtp')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-dovecot-'));
  const address = options.address ?? '127.0.0.1';
  const port = await freePort(address);
  const lmtpPort = options.lmtp ? await freePort(address) : undefined;
  // LMTP's recipient is user@domain; the Maildir and the login are the user's name.
  const lmtp = lmtpPort
    ? `auth_username_format = %Ln
service lmtp {
  inet_listener lmtp {
    address = ${address}
    port = ${lmtpPort}
  }
}`
    : '';
  const uid = DOVECOT_UID;
  const gid = DOVECOT_UID;
  const maildir = join(dir, 'mail', DOVECOT_USER);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  messages.forEach((raw, i) => writeFileSync(join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.bench,S=${raw.length}:2,`), raw));
  spawnSync('chown', ['-R', `${uid}:${gid}`, join(dir, 'mail')]);
  // mkdtemp makes the folder 0700; the mail user must reach its Maildir.
  chmodSync(dir, 0o755);
  const config = join(dir, 'dovecot.conf');
  const passwords = join(dir, 'passwd');
  // libsodium, which checks Dovecot's ARGON2ID, reads the parameters only in the order m, t, p.
  const phc = options.passwordHash?.replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, '$m=$1,t=$3,p=$2$');
  if (phc) writeFileSync(passwords, `${DOVECOT_USER}:{ARGON2ID}${phc}\n`);
  const passdb = options.passwordHash ? `driver = passwd-file\n  args = ${passwords}` : `driver = static\n  args = password=${DOVECOT_PASSWORD}`;
  writeFileSync(
    config,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = ${protocol}${lmtpPort ? ' lmtp' : ''}
listen = ${address}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = ${options.mailLocation ?? `maildir:${dir}/mail/%u`}
first_valid_uid = ${uid}
passdb {
  ${passdb}
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service ${protocol}-login {
  inet_listener ${protocol} {
    address = ${address}
    port = ${port}
  }
  inet_listener ${protocol}s {
    port = 0
  }
}
service anvil {
  chroot =
}
${lmtp}
${settings}
`,
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', config], { stdio: 'ignore' });
  await waitForPort(port, address);
  if (lmtpPort) await waitForPort(lmtpPort, address);
  const version = spawnSync(DOVECOT, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0];
  return {
    port,
    pid: child.pid!,
    version,
    lmtpPort,
    config,
    async stop() {
      // The master waits for its children, so once it has exited nothing writes into the state directory
      // (removing it while they were still exiting failed with ENOTEMPTY in CI).
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        // A master that does not stop within 10 s is killed, so no test hangs on it.
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
