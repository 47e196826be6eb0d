// mailctl as an admin runs it: a child process, its output and exit status.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
      const result = spawnSync(process.execPath, ['--import', 'tsx', mailctlPath, ...args], {
        encoding: 'utf8',
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

    it('adds a user with the six folders, changes the password, lists and removes', () => {
      const added = mailctl('user', 'add', 'alice@example.test', '--password', 'a long secret phrase', '--name', 'Alice');
      assert.equal(added.status, 0, added.stderr);
      assert.match(added.stdout, /added user alice@example\.test with folders Archive, Drafts, INBOX, Junk, Sent, Trash/);
      assert.equal(mailctl('user', 'add', 'root@example.test', '--password', 'another secret', '--admin').status, 0);
      assert.equal(mailctl('user', 'passwd', 'alice@example.test', '--password', 'a newer secret').status, 0);
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
      assert.equal(mailctl('user', 'add', 'owner@other.test', '--password', 'a long secret phrase').status, 0);
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
      fails(mailctl('user', 'add', 'bob@unknown.test', '--password', 'a long secret'), /domain unknown\.test is not hosted here/);
      fails(mailctl('user', 'add', 'not an address', '--password', 'a long secret'), /not a valid mail address/);
      fails(mailctl('user', 'add', 'alice@example.test', '--password', 'a long secret'), /alice@example\.test is already taken/);
      fails(mailctl('user', 'add', 'carol@example.test', '--password', 'short'), /at least 8 characters/);
      fails(mailctl('user', 'add', 'carol@example.test'), /--password is required/);
      fails(mailctl('domain', 'add', 'example.test'), /already hosted/);
      fails(mailctl('domain', 'add', 'bad_domain'), /not a valid domain name/);
      fails(mailctl('domain', 'remove', 'example.test'), /still has 1 account/);
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
