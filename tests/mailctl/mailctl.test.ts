// mailctl as an admin runs it: a child process, its output and exit status.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { openDatabase } from '../../prisma/database.ts';
import { verifyPassword } from '../../mail-daemon/accounts/passwords.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/databases.ts';

const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;

for (const engine of ENGINES) {
  describe(`mailctl on ${engine}`, () => {
    let database: TestDatabase;
    let dataDir: string;

    function mailctl(...args: string[]) {
      return mailctlWithInput('', ...args);
    }

    /** mailctl with its standard input (a pipe, never a terminal), for --password-stdin. */
    function mailctlWithInput(input: string, ...args: string[]) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', mailctlPath, ...args], {
        encoding: 'utf8',
        input,
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: database.url, MAIL_HOSTNAME: 'mail.example.test' },
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    }

    function fails(result: ReturnType<typeof mailctl>, pattern: RegExp) {
      assert.notEqual(result.status, 0, `expected a failure, got: ${result.stdout}`);
      assert.match(result.stderr, pattern);
    }

    before(async () => {
      database = await createTestDatabase(engine);
      dataDir = mkdtempSync(join(tmpdir(), 'mailctl-'));
    });
    after(async () => {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('adds a domain and prints its DNS records', () => {
      const added = mailctl('domain', 'add', 'Example.TEST');
      assert.equal(added.status, 0, added.stderr);
      assert.match(added.stdout, /added domain example\.test/);
      const dns = mailctl('dns', 'example.test');
      assert.equal(dns.status, 0, dns.stderr);
      assert.match(dns.stdout, /^example\.test\.\s+3600 IN MX\s+10 mail\.example\.test\./m);
      assert.match(dns.stdout, /IN TXT\s+"v=spf1 mx -all"/);
      assert.match(dns.stdout, /mail\d+\._domainkey\.example\.test\.\s+3600 IN TXT\s+"v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{200,}" "[A-Za-z0-9+/=]{100,}"/);
      assert.match(dns.stdout, /_dmarc\.example\.test\.\s+3600 IN TXT\s+"v=DMARC1; p=quarantine/);
      assert.match(mailctl('domain', 'list').stdout, /example\.test\s+yes/);
    });

    it('never takes a password on the command line', () => {
      const refused = mailctl('user', 'add', 'dave@example.test', '--password', 'a long secret phrase');
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /a password on the command line shows in ps and in shell history: type it at the prompt, or pipe it in with --password-stdin/);
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'passwd', 'dave@example.test', '--password=x').status, 2);
      assert.doesNotMatch(mailctl('user', 'list').stdout, /dave@/);
    });

    it('reads the password at a prompt that does not echo it, twice', async () => {
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'add', 'erin@example.test', '--password-stdin').status, 0);
      const typed = await inTerminal(['user', 'passwd', 'erin@example.test'], ['typed at the prompt', 'typed at the prompt']);
      assert.equal(typed.status, 0, typed.output);
      assert.match(typed.output, /New password: \r?\nAgain: \r?\nchanged the password of erin@example\.test/);
      assert.doesNotMatch(typed.output, /typed at the prompt/, 'the password is not echoed');
      assert.equal(await passwordIs('erin@example.test', 'typed at the prompt'), true);

      const differ = await inTerminal(['user', 'passwd', 'erin@example.test'], ['one new password', 'another password']);
      assert.equal(differ.status, 1);
      assert.match(differ.output, /the two passwords differ/);
      assert.equal(await passwordIs('erin@example.test', 'typed at the prompt'), true);
    });

    it('takes --quota with units', () => {
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'add', 'q1@example.test', '--password-stdin', '--quota', '500M').status, 0);
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'add', 'q2@example.test', '--password-stdin', '--quota=5G').status, 0);
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'add', 'q3@example.test', '--password-stdin', '--quota', '1536').status, 0);
      const list = mailctl('user', 'list', 'example.test').stdout;
      assert.match(list, /q1@example\.test\s+user\s+0\.0 MB\s+500\.0 MB/);
      assert.match(list, /q2@example\.test\s+user\s+0\.0 MB\s+5120\.0 MB/);
      assert.match(list, /q3@example\.test\s+user\s+0\.0 MB\s+1536\.0 MB/);
      const bad = mailctlWithInput('a long secret phrase\n', 'user', 'add', 'q4@example.test', '--password-stdin', '--quota', 'lots');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--quota must be a size such as 500M, 5G or 2048 \(MB\), got "lots"/);
    });

    it('changes a quota with user quota, in the same units', () => {
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'add', 'q5@example.test', '--password-stdin').status, 0);
      const set = mailctl('user', 'quota', 'Q5@example.test', '750M');
      assert.equal(set.status, 0, set.stderr);
      assert.equal(set.stdout.trim(), 'quota of q5@example.test: 750.0 MB');
      assert.match(mailctl('user', 'list', 'example.test').stdout, /q5@example\.test\s+user\s+0\.0 MB\s+750\.0 MB/);
      const bad = mailctl('user', 'quota', 'q5@example.test', '0');
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /quota/);
      const nobody = mailctl('user', 'quota', 'nobody@example.test', '1G');
      assert.notEqual(nobody.status, 0);
      assert.match(nobody.stderr, /There is no account nobody@example\.test/);
      assert.match(mailctl('user', 'list', 'example.test').stdout, /q5@example\.test\s+user\s+0\.0 MB\s+750\.0 MB/);
    });

    /** Runs mailctl in a pseudo-terminal (Python's pty), answering each prompt with the next line. */
    function inTerminal(args: string[], answers: string[]): Promise<{ status: number | null; output: string }> {
      const driver = [
        'import os, pty, sys, json',
        'args, answers = json.loads(sys.argv[1]), json.loads(sys.argv[2])',
        'pid, fd = pty.fork()',
        'if pid == 0: os.execvpe(args[0], args, os.environ)',
        'out = b""',
        'while True:',
        '    try: chunk = os.read(fd, 1024)',
        '    except OSError: break',
        '    if not chunk: break',
        '    out += chunk',
        '    if answers and (out.endswith(b"password: ") or out.endswith(b"Again: ")): os.write(fd, (answers.pop(0) + "\\r").encode())',
        '_, status = os.waitpid(pid, 0)',
        'sys.stdout.write(out.decode())',
        'sys.exit(os.waitstatus_to_exitcode(status))',
      ].join('\n');
      const command = [process.execPath, '--import', 'tsx', mailctlPath, ...args];
      return new Promise((resolve) => {
        const child = spawn('python3', ['-c', driver, JSON.stringify(command), JSON.stringify(answers)], {
          env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: database.url, MAIL_HOSTNAME: 'mail.example.test' },
        });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('close', (status) => resolve({ status, output }));
      });
    }

    async function passwordIs(address: string, password: string): Promise<boolean> {
      const db = await openDatabase(database.url);
      try {
        const account = await db.prisma.account.findUniqueOrThrow({ where: { address }, select: { passwordHash: true } });
        return verifyPassword(account.passwordHash, password);
      } finally {
        await db.close();
      }
    }

    it('adds a user with the six folders, changes the password, lists and removes', () => {
      const added = mailctlWithInput('a long secret phrase\n', 'user', 'add', 'alice@example.test', '--password-stdin', '--name', 'Alice');
      assert.equal(added.status, 0, added.stderr);
      assert.match(added.stdout, /added user alice@example\.test with folders Archive, Drafts, INBOX, Junk, Sent, Trash/);
      assert.equal(mailctlWithInput('another secret\n', 'user', 'add', 'root@example.test', '--password-stdin', '--admin').status, 0);
      assert.equal(mailctlWithInput('a newer secret\n', 'user', 'passwd', 'alice@example.test', '--password-stdin').status, 0);
      const list = mailctl('user', 'list', 'example.test');
      assert.match(list.stdout, /alice@example\.test\s+user/);
      assert.match(list.stdout, /root@example\.test\s+admin/);
      assert.equal(mailctl('user', 'remove', 'root@example.test').status, 0);
      assert.doesNotMatch(mailctl('user', 'list').stdout, /root@/);
    });

    it('manages aliases with several targets', () => {
      const added = mailctl('alias', 'add', 'team@example.test', 'alice@example.test', 'friend@elsewhere.test');
      assert.equal(added.status, 0, added.stderr);
      assert.match(mailctl('alias', 'list').stdout, /team@example\.test\s+alice@example\.test, friend@elsewhere\.test/);
      assert.equal(mailctl('alias', 'remove', 'team@example.test').status, 0);
      assert.match(mailctl('alias', 'list').stdout, /no aliases/);
    });

    it('lets existing accounts administer a domain and never removes the last one', () => {
      assert.match(mailctl('domain', 'admins', 'example.test').stdout, /example\.test has no domain admins/);
      assert.equal(mailctl('domain', 'add', 'other.test').status, 0);
      assert.equal(mailctlWithInput('a long secret phrase\n', 'user', 'add', 'owner@other.test', '--password-stdin').status, 0);
      const granted = mailctl('domain', 'admin', 'add', 'example.test', 'Alice@example.test');
      assert.equal(granted.status, 0, granted.stderr);
      assert.match(granted.stdout, /alice@example\.test now administers example\.test/);
      fails(mailctl('domain', 'admin', 'remove', 'example.test', 'alice@example.test'), /alice@example\.test is the last administrator of example\.test/);
      fails(mailctl('domain', 'admin', 'remove', 'example.test', 'owner@other.test'), /owner@other\.test is not an administrator of example\.test/);
      fails(mailctl('domain', 'admin', 'add', 'example.test', 'nobody@example.test'), /There is no account nobody@example\.test/);
      assert.equal(mailctl('domain', 'admin', 'add', 'example.test', 'owner@other.test').status, 0);
      assert.equal(mailctl('domain', 'admins', 'example.test').stdout.trim(), 'alice@example.test\nowner@other.test');
      const revoked = mailctl('domain', 'admin', 'remove', 'example.test', 'alice@example.test');
      assert.equal(revoked.status, 0, revoked.stderr);
      assert.match(revoked.stdout, /alice@example\.test no longer administers example\.test/);
      assert.equal(mailctl('domain', 'admins', 'example.test').stdout.trim(), 'owner@other.test');
      fails(mailctl('domain', 'admin', 'remove', 'example.test', 'owner@other.test'), /last administrator/);
      fails(mailctl('domain', 'admin', 'frob', 'example.test'), /expected domain admin add\|remove/);
    });

    it('shows the queue and refuses unknown entries', () => {
      assert.match(mailctl('queue', 'list').stdout, /the queue is empty/);
      fails(mailctl('queue', 'retry', '42'), /no queue entry 42/);
      fails(mailctl('queue', 'delete', 'abc'), /"abc" is not a queue entry id/);
    });

    it('gives a clear error and a non-zero status for bad input', () => {
      fails(mailctlWithInput('a long secret\n', 'user', 'add', 'bob@unknown.test', '--password-stdin'), /domain unknown\.test is not hosted here/);
      fails(mailctlWithInput('a long secret\n', 'user', 'add', 'not an address', '--password-stdin'), /not a valid mail address/);
      fails(mailctlWithInput('a long secret\n', 'user', 'add', 'alice@example.test', '--password-stdin'), /alice@example\.test is already taken/);
      fails(mailctlWithInput('short\n', 'user', 'add', 'carol@example.test', '--password-stdin'), /at least 8 characters/);
      fails(mailctl('user', 'add', 'carol@example.test'), /type the password at the prompt \(run mailctl in a terminal\), or pipe it in with --password-stdin/);
      fails(mailctl('domain', 'add', 'example.test'), /already hosted/);
      fails(mailctl('domain', 'add', 'bad_domain'), /not a valid domain name/);
      fails(mailctl('domain', 'remove', 'example.test'), /still has \d+ account/);
      fails(mailctl('alias', 'add', 'alice@example.test', 'x@example.test'), /already taken/);
      fails(mailctl('dns', 'nowhere.test'), /not hosted here/);
      fails(mailctl('frobnicate'), /unknown command/);
      fails(mailctl('user', 'add', 'x@example.test', '--bogus'), /unknown option --bogus/);
    });
  });
}

describe('mailctl on a fresh install', () => {
  it('creates the data directory and the database on first use', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mailctl-fresh-')), 'not', 'there', 'yet');
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', mailctlPath, 'domain', 'list'], {
        encoding: 'utf8',
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', MAIL_HOSTNAME: 'mail.example.test' },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /no domains yet/);
    } finally {
      rmSync(join(dataDir, '..', '..', '..'), { recursive: true, force: true });
    }
  });
});
