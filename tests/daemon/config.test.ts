import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname as osHostname, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../mail-daemon/config/config.ts';

const workDir = mkdtempSync(join(tmpdir(), 'config-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

// Next.js's types make NODE_ENV a required member of ProcessEnv.
function asEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return vars as NodeJS.ProcessEnv;
}

// A fixed MAIL_HOSTNAME keeps the tests independent of the machine's name.
function load(env: Record<string, string>) {
  return loadConfig(asEnv({ MAIL_HOSTNAME: 'mail.example.com', ...env }));
}

/** The ConfigError problems that loading env gives. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.equal(error.message, error.problems.join('\n'));
    return error.problems;
  }
  assert.fail(`expected ConfigError for ${JSON.stringify(env)}`);
}

function assertRejected(env: Record<string, string>, expected: RegExp) {
  const problems = problemsOf(env);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], expected);
}

describe('defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig(asEnv({}));
    assert.equal(config.dataDir, resolve('./data'));
    assert.equal(config.databaseUrl, `file:${resolve('./data/mail.db')}`);
    assert.equal(config.hostname, osHostname().toLowerCase());
    assert.equal(config.listenHost, '0.0.0.0');
    assert.deepEqual(config.ports, {
      smtp: 25,
      submission: 587,
      submissions: 465,
      pop3: 110,
      pop3s: 995,
      imap: 143,
      imaps: 993,
      web: 3000,
    });
    assert.equal(config.tls, null);
    assert.deepEqual(config.dnsServers, []);
    assert.equal(config.maxMessageSize, 52_428_800);
    assert.equal(config.messageMemoryLimit, 314_572_800);
    assert.deepEqual(config.connections, { perAddress: 20, perService: 1000, preLoginTimeout: 60_000 });
    assert.equal(config.allowPlaintextLoopback, false);
    assert.equal(config.webTls, false);
    assert.deepEqual(config.queue, {
      retrySchedule: [15, 30, 60, 120, 240].map((minutes) => minutes * 60_000),
      warnAfter: 4 * 3_600_000,
      giveUpAfter: 5 * 86_400_000,
      smtpPort: 25,
      concurrency: 100,
      destinationConcurrency: 20,
    });
  });

  test('an empty string counts as unset', () => {
    const config = load({ SMTP_PORT: '', DNS_SERVERS: '', ALLOW_PLAINTEXT_LOOPBACK: '' });
    assert.equal(config.ports.smtp, 25);
    assert.deepEqual(config.dnsServers, []);
    assert.equal(config.allowPlaintextLoopback, false);
  });

  test('WEB_TLS takes a boolean', () => {
    assert.equal(load({ WEB_TLS: 'true' }).webTls, true);
    assertRejected({ WEB_TLS: 'sometimes' }, /^WEB_TLS /);
  });

  test('DATA_DIR is made absolute and moves the default database with it', () => {
    const config = load({ DATA_DIR: 'var/mail' });
    assert.equal(config.dataDir, resolve('var/mail'));
    assert.equal(config.databaseUrl, `file:${resolve('var/mail/mail.db')}`);
  });

  test('the process environment is the default argument', () => {
    const saved = process.env.SMTP_PORT;
    process.env.SMTP_PORT = '2525';
    try {
      assert.equal(loadConfig().ports.smtp, 2525);
    } finally {
      if (saved === undefined) delete process.env.SMTP_PORT;
      else process.env.SMTP_PORT = saved;
    }
  });
});

describe('.env.example', () => {
  const documented = Object.fromEntries(
    readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
      .split('\n')
      .flatMap((line) => {
        const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
        return match ? [[match[1], match[2]]] : [];
      }),
  );

  test('documents every variable', () => {
    assert.deepEqual(Object.keys(documented).sort(), [
      'ALLOW_PLAINTEXT_LOOPBACK', 'AUTH_CACHE_TTL', 'DATABASE_URL', 'DATA_DIR', 'DNSBL_ZONES', 'DNS_SERVERS', 'GREYLIST',
      'GREYLIST_DELAY', 'IMAPS_PORT', 'IMAP_PORT', 'LISTEN_HOST', 'LOGIN_ACCOUNT_THROTTLE_AFTER',
      'LOGIN_BLOCK_AFTER', 'LOGIN_DELAY_STEP', 'LOGIN_FAILURE_WINDOW', 'LOGIN_SLOW_AFTER', 'MAIL_HOSTNAME',
      'MAX_CONNECTIONS_PER_ADDRESS', 'MAX_CONNECTIONS_PER_SERVICE', 'MAX_MESSAGE_SIZE',
      'MESSAGE_MEMORY_LIMIT', 'METRICS_HOST', 'METRICS_PORT', 'POP3S_PORT', 'POP3_PORT', 'PRE_LOGIN_TIMEOUT',
      'QUEUE_CONCURRENCY', 'QUEUE_DESTINATION_CONCURRENCY', 'QUEUE_GIVE_UP_AFTER', 'QUEUE_RETRY_SCHEDULE', 'QUEUE_SMTP_PORT', 'QUEUE_WARN_AFTER', 'RSPAMD_URL',
      'SEND_LIMIT_MESSAGES_PER_HOUR', 'SEND_LIMIT_RECIPIENTS_PER_DAY', 'SMTP_PORT', 'SMTP_UNKNOWN_RCPT_DELAY',
      'SMTP_UNKNOWN_RCPT_LIMIT', 'SMTP_UNKNOWN_RCPT_SLOW_AFTER', 'SRS_SECRET', 'SUBMISSIONS_PORT',
      'SUBMISSION_PORT', 'TLS_CERT', 'TLS_KEY', 'TRUST_PROXY', 'UNVERIFIED_DOMAIN_EXPIRY', 'WEB_PORT',
      'WEB_TLS',
    ]);
  });

  test('copied as it is, it gives the defaults', () => {
    assert.deepEqual(loadConfig(asEnv(documented)), loadConfig(asEnv({})));
  });
});

describe('spam defence settings', () => {
  test('reads DNSBL_ZONES, GREYLIST, RSPAMD_URL and the send limits', () => {
    const spam = load({ DNSBL_ZONES: 'zen.spamhaus.org, bl.spamcop.net', GREYLIST: 'true', GREYLIST_DELAY: '2m', RSPAMD_URL: 'http://127.0.0.1:11333/', SEND_LIMIT_MESSAGES_PER_HOUR: '10', SEND_LIMIT_RECIPIENTS_PER_DAY: '50' }).spam;
    assert.deepEqual(spam, { dnsblZones: ['zen.spamhaus.org', 'bl.spamcop.net'], greylist: { enabled: true, delayMs: 120_000 }, rspamdUrl: 'http://127.0.0.1:11333', sendLimits: { messagesPerHour: 10, recipientsPerDay: 50 } });
    assert.deepEqual(load({}).spam, { dnsblZones: [], greylist: { enabled: false, delayMs: 300_000 }, rspamdUrl: null, sendLimits: { messagesPerHour: 200, recipientsPerDay: 2000 } });
  });

  test('rejects a bad zone, URL or limit', () => {
    assertRejected({ DNSBL_ZONES: 'zen.spamhaus.org,bad zone' }, /^DNSBL_ZONES must be a comma-separated list of DNS zone names, got "bad zone" in/);
    assertRejected({ RSPAMD_URL: 'ftp://x' }, /^RSPAMD_URL must be an http:\/\/ or https:\/\/ URL/);
    assertRejected({ SEND_LIMIT_MESSAGES_PER_HOUR: '0' }, /^SEND_LIMIT_MESSAGES_PER_HOUR must be a whole number greater than 0/);
  });
});

describe('SRS_SECRET', () => {
  test('takes a list of secrets, the first one signing', () => {
    assert.deepEqual(load({ SRS_SECRET: 'new-secret-0123456789, old-secret-0123456789' }).srsSecrets, ['new-secret-0123456789', 'old-secret-0123456789']);
    assert.deepEqual(load({}).srsSecrets, []);
  });

  test('rejects a short secret', () => {
    assertRejected({ SRS_SECRET: 'long-enough-secret-1,short' }, /^SRS_SECRET must be .*at least 16 characters.*, got "short" in "long-enough-secret-1,short"$/);
  });
});

describe('DATABASE_URL', () => {
  test('accepts file:, postgres:// and postgresql://', () => {
    for (const url of ['file:/tmp/x.db', 'postgres://u:p@db/mail', 'postgresql://db:5432/mail']) {
      assert.equal(load({ DATABASE_URL: url }).databaseUrl, url);
    }
  });

  test('rejects anything else', () => {
    for (const url of ['mysql://db/mail', '/tmp/x.db', 'sqlite:x.db']) {
      assertRejected({ DATABASE_URL: url }, new RegExp(`^DATABASE_URL must be .*file:.*postgres.*, got "${url}"$`));
    }
  });
});

describe('MAIL_HOSTNAME', () => {
  test('accepts host names and lower-cases them', () => {
    assert.equal(load({ MAIL_HOSTNAME: 'Mail.Example.COM' }).hostname, 'mail.example.com');
    assert.equal(load({ MAIL_HOSTNAME: 'localhost' }).hostname, 'localhost');
    assert.equal(load({ MAIL_HOSTNAME: 'mx-1.a1.example' }).hostname, 'mx-1.a1.example');
  });

  test('rejects what is not a DNS host name', () => {
    const bad = ['-mail.example.com', 'mail-.example.com', 'mail..example.com', 'mail_1.example.com',
      'mail example.com', `${'a'.repeat(64)}.example.com`, `${'abcdefg.'.repeat(32)}com`, '192.0.2.1', 'mail.example.com.'];
    for (const name of bad) {
      assertRejected({ MAIL_HOSTNAME: name }, new RegExp(`^MAIL_HOSTNAME must be a DNS host name .*, got "${escape(name)}"$`));
    }
  });
});

describe('LISTEN_HOST', () => {
  test('accepts IPv4, IPv6 and localhost', () => {
    for (const host of ['127.0.0.1', '::', '::1', 'localhost', '192.0.2.10']) {
      assert.equal(load({ LISTEN_HOST: host }).listenHost, host);
    }
  });

  test('rejects names and malformed addresses', () => {
    for (const host of ['example.com', '256.1.1.1', '[::1]', '0.0.0.0:25']) {
      assertRejected({ LISTEN_HOST: host }, /^LISTEN_HOST must be an IP address .* or "localhost", got "/);
    }
  });
});

describe('ports', () => {
  const variables = {
    SMTP_PORT: 'smtp',
    SUBMISSION_PORT: 'submission',
    SUBMISSIONS_PORT: 'submissions',
    POP3_PORT: 'pop3',
    POP3S_PORT: 'pop3s',
    IMAP_PORT: 'imap',
    IMAPS_PORT: 'imaps',
    WEB_PORT: 'web',
  } as const;

  test('every port takes a number, 0, or off', () => {
    for (const [name, key] of Object.entries(variables)) {
      assert.equal(load({ [name]: '2525' }).ports[key], 2525);
      assert.equal(load({ [name]: '0' }).ports[key], 0);
      assert.equal(load({ [name]: '65535' }).ports[key], 65535);
      assert.equal(load({ [name]: 'off' }).ports[key], null);
      assert.equal(load({ [name]: 'OFF' }).ports[key], null);
    }
  });

  test('every port rejects what is not a port', () => {
    for (const name of Object.keys(variables)) {
      for (const bad of ['abc', '-1', '65536', '25.5', '1e3', 'on', '0x19', '100000']) {
        assertRejected({ [name]: bad }, new RegExp(`^${name} must be a port number 0-65535 or "off", got "${escape(bad)}"$`));
      }
    }
  });

  test('the message matches the documented example', () => {
    assert.deepEqual(problemsOf({ SMTP_PORT: 'abc' }), ['SMTP_PORT must be a port number 0-65535 or "off", got "abc"']);
  });
});

describe('TLS_CERT and TLS_KEY', () => {
  const certFile = join(workDir, 'cert.pem');
  const keyFile = join(workDir, 'key.pem');
  writeFileSync(certFile, 'cert');
  writeFileSync(keyFile, 'key');

  test('both set to existing files', () => {
    assert.deepEqual(load({ TLS_CERT: certFile, TLS_KEY: keyFile }).tls, { certFile, keyFile });
  });

  test('relative paths are made absolute', () => {
    const config = load({ TLS_CERT: relative(process.cwd(), certFile), TLS_KEY: keyFile });
    assert.equal(config.tls?.certFile, certFile);
  });

  test('one without the other is an error', () => {
    assertRejected({ TLS_CERT: certFile }, /^TLS_CERT and TLS_KEY must be set together, got TLS_CERT=".*" but no TLS_KEY$/);
    assertRejected({ TLS_KEY: keyFile }, /^TLS_CERT and TLS_KEY must be set together, got TLS_KEY=".*" but no TLS_CERT$/);
  });

  test('missing files and directories are errors', () => {
    const missing = join(workDir, 'nope.pem');
    assertRejected({ TLS_CERT: missing, TLS_KEY: keyFile }, /^TLS_CERT must be the path of a readable PEM file, got ".*nope\.pem" \(no such file\)$/);
    assertRejected({ TLS_CERT: certFile, TLS_KEY: workDir }, /^TLS_KEY must be the path of a readable PEM file, got ".*" \(not a regular file\)$/);
  });
});

describe('DNS_SERVERS', () => {
  test('ip, ip:port, bare IPv6, [ipv6] and [ipv6]:port', () => {
    const config = load({ DNS_SERVERS: '1.1.1.1, 9.9.9.9:5353,2001:4860:4860::8888,[::1],[fe80::1]:53000' });
    assert.deepEqual(config.dnsServers, [
      { host: '1.1.1.1', port: 53 },
      { host: '9.9.9.9', port: 5353 },
      { host: '2001:4860:4860::8888', port: 53 },
      { host: '::1', port: 53 },
      { host: 'fe80::1', port: 53000 },
    ]);
  });

  test('rejects names, bad ports and malformed entries, naming the entry', () => {
    for (const bad of ['dns.google', '1.1.1.1:0', '1.1.1.1:65536', '1.1.1.1:', '[1.1.1.1]:53', '[::1]:', '::1]:53', '300.1.1.1', '']) {
      const value = `8.8.8.8,${bad}`;
      assertRejected({ DNS_SERVERS: value }, new RegExp(`^DNS_SERVERS must be a comma-separated list .*, got "${escape(bad)}" in "${escape(value)}"$`));
    }
  });
});

describe('MAX_MESSAGE_SIZE', () => {
  test('accepts a whole number of bytes', () => {
    assert.equal(load({ MAX_MESSAGE_SIZE: '1048576' }).maxMessageSize, 1_048_576);
  });

  test('rejects zero, negatives, fractions and units', () => {
    for (const bad of ['0', '-1', '1.5', '10MB', 'big', '99999999999999999999']) {
      assertRejected({ MAX_MESSAGE_SIZE: bad }, new RegExp(`^MAX_MESSAGE_SIZE must be a whole number of bytes greater than 0, got "${escape(bad)}"$`));
    }
  });
});

describe('MESSAGE_MEMORY_LIMIT', () => {
  test('accepts a whole number of bytes', () => {
    assert.equal(load({ MESSAGE_MEMORY_LIMIT: '1048576' }).messageMemoryLimit, 1_048_576);
  });

  test('rejects zero and units', () => {
    for (const bad of ['0', '100MB']) {
      assertRejected({ MESSAGE_MEMORY_LIMIT: bad }, new RegExp(`^MESSAGE_MEMORY_LIMIT must be a whole number of bytes greater than 0, got "${bad}"$`));
    }
  });
});

describe('connection limits', () => {
  test('MAX_CONNECTIONS_PER_ADDRESS, MAX_CONNECTIONS_PER_SERVICE and PRE_LOGIN_TIMEOUT', () => {
    const config = load({ MAX_CONNECTIONS_PER_ADDRESS: '5', MAX_CONNECTIONS_PER_SERVICE: '300', PRE_LOGIN_TIMEOUT: '30s' });
    assert.deepEqual(config.connections, { perAddress: 5, perService: 300, preLoginTimeout: 30_000 });
  });

  test('rejects zero, fractions and durations without a unit', () => {
    assertRejected({ MAX_CONNECTIONS_PER_ADDRESS: '0' }, /^MAX_CONNECTIONS_PER_ADDRESS must be a whole number greater than 0, got "0"$/);
    assertRejected({ MAX_CONNECTIONS_PER_SERVICE: '1.5' }, /^MAX_CONNECTIONS_PER_SERVICE must be a whole number greater than 0, got "1.5"$/);
    assertRejected({ PRE_LOGIN_TIMEOUT: '60' }, /^PRE_LOGIN_TIMEOUT must be a duration greater than 0 with a unit/);
  });
});

describe('ALLOW_PLAINTEXT_LOOPBACK', () => {
  test('true and false', () => {
    assert.equal(load({ ALLOW_PLAINTEXT_LOOPBACK: 'true' }).allowPlaintextLoopback, true);
    assert.equal(load({ ALLOW_PLAINTEXT_LOOPBACK: 'TRUE' }).allowPlaintextLoopback, true);
    assert.equal(load({ ALLOW_PLAINTEXT_LOOPBACK: 'false' }).allowPlaintextLoopback, false);
  });

  test('rejects anything else', () => {
    for (const bad of ['yes', '1', 'on']) {
      assertRejected({ ALLOW_PLAINTEXT_LOOPBACK: bad }, new RegExp(`^ALLOW_PLAINTEXT_LOOPBACK must be "true" or "false", got "${bad}"$`));
    }
  });
});

describe('queue durations', () => {
  test('every unit', () => {
    const config = load({ QUEUE_RETRY_SCHEDULE: '500ms,10s,5m,1h,2d', QUEUE_WARN_AFTER: '90m', QUEUE_GIVE_UP_AFTER: '36h', QUEUE_CONCURRENCY: '50', QUEUE_DESTINATION_CONCURRENCY: '5' });
    assert.deepEqual(config.queue, {
      retrySchedule: [500, 10_000, 300_000, 3_600_000, 172_800_000],
      warnAfter: 5_400_000,
      giveUpAfter: 129_600_000,
      smtpPort: 25,
      concurrency: 50,
      destinationConcurrency: 5,
    });
  });

  test('rejects a concurrency that is not a whole number above 0', () => {
    for (const bad of ['0', '-1', '2.5', 'many']) {
      assertRejected({ QUEUE_CONCURRENCY: bad }, new RegExp(`^QUEUE_CONCURRENCY must be a whole number greater than 0, got "${escape(bad)}"$`));
      assertRejected({ QUEUE_DESTINATION_CONCURRENCY: bad }, new RegExp(`^QUEUE_DESTINATION_CONCURRENCY must be a whole number greater than 0, got "${escape(bad)}"$`));
    }
  });

  test('spaces around list items are allowed', () => {
    assert.deepEqual(load({ QUEUE_RETRY_SCHEDULE: '1m, 2m' }).queue.retrySchedule, [60_000, 120_000]);
  });

  test('rejects numbers without a unit, unknown units, zero and negatives', () => {
    for (const bad of ['15', '15x', '1.5h', '0s', '-1m', 'h', '15 m', '1w']) {
      assertRejected({ QUEUE_WARN_AFTER: bad }, new RegExp(`^QUEUE_WARN_AFTER must be a duration greater than 0 with a unit ms, s, m, h or d .*, got "${escape(bad)}"$`));
      assertRejected({ QUEUE_GIVE_UP_AFTER: bad }, new RegExp(`^QUEUE_GIVE_UP_AFTER must be a duration .*, got "${escape(bad)}"$`));
    }
  });

  test('a bad retry schedule entry is named', () => {
    assertRejected({ QUEUE_RETRY_SCHEDULE: '15m,soon,1h' }, /^QUEUE_RETRY_SCHEDULE must be a comma-separated list of durations, .*, got "soon" in "15m,soon,1h"$/);
    assertRejected({ QUEUE_RETRY_SCHEDULE: '15m,,1h' }, /^QUEUE_RETRY_SCHEDULE must be .*, got "" in "15m,,1h"$/);
  });

  test('the warning must come before giving up', () => {
    assertRejected({ QUEUE_WARN_AFTER: '5d' }, /^QUEUE_WARN_AFTER must be shorter than QUEUE_GIVE_UP_AFTER, got "5d" and "5d"$/);
    assertRejected({ QUEUE_GIVE_UP_AFTER: '1h' }, /^QUEUE_WARN_AFTER must be shorter than QUEUE_GIVE_UP_AFTER, got "4h" and "1h"$/);
  });
});

describe('login limits, unknown recipients, domain claims', () => {
  test('defaults', () => {
    const config = load({});
    assert.deepEqual(config.login, { windowMs: 900_000, slowAfter: 5, delayStepMs: 1000, blockAfter: 20, accountThrottleAfter: 10 });
    assert.deepEqual(config.unknownRecipients, { slowAfter: 3, delayMs: 2000, disconnectAfter: 10 });
    assert.equal(config.unverifiedDomainExpiryMs, 7 * 86_400_000);
    assert.equal(config.authCacheTtlMs, 60_000);
  });

  test('the auth cache TTL is a duration, or off', () => {
    assert.equal(load({ AUTH_CACHE_TTL: '5m' }).authCacheTtlMs, 300_000);
    assert.equal(load({ AUTH_CACHE_TTL: 'off' }).authCacheTtlMs, 0);
    assertRejected({ AUTH_CACHE_TTL: '60' }, /^AUTH_CACHE_TTL must be a duration/);
  });

  test('counts are whole numbers above 0, and slowing comes before blocking', () => {
    assertRejected({ LOGIN_BLOCK_AFTER: '0' }, /^LOGIN_BLOCK_AFTER must be a whole number greater than 0, got "0"$/);
    assertRejected({ SMTP_UNKNOWN_RCPT_LIMIT: 'many' }, /^SMTP_UNKNOWN_RCPT_LIMIT must be a whole number greater than 0, got "many"$/);
    assertRejected({ LOGIN_SLOW_AFTER: '30' }, /^LOGIN_SLOW_AFTER must not be above LOGIN_BLOCK_AFTER, got "30" and "20"$/);
    assertRejected({ UNVERIFIED_DOMAIN_EXPIRY: '7' }, /^UNVERIFIED_DOMAIN_EXPIRY must be a duration/);
  });
});

test('all problems are reported together', () => {
  const problems = problemsOf({
    SMTP_PORT: 'abc',
    IMAP_PORT: '70000',
    LISTEN_HOST: 'everywhere',
    DNS_SERVERS: 'x',
    QUEUE_WARN_AFTER: 'later',
    ALLOW_PLAINTEXT_LOOPBACK: 'maybe',
  });
  assert.deepEqual(
    problems.map((problem) => problem.split(' ')[0]),
    ['LISTEN_HOST', 'SMTP_PORT', 'IMAP_PORT', 'DNS_SERVERS', 'ALLOW_PLAINTEXT_LOOPBACK', 'QUEUE_WARN_AFTER'],
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
