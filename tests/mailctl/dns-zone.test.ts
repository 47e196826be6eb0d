// The records `mailctl dns` prints load as a zone file: a zone parser nobody
// here wrote (dnspython, Debian's python3-dnspython) reads them, and the
// 2048-bit DKIM key's TXT record comes as quoted strings of at most 255
// bytes (RFC 1035 3.3.14) that join to the key. "Check DNS" finds that record
// when a DNS server answers with it in several strings (issue 14 item 4).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStore, type TestStore } from '../support/databases.ts';
import { startTestDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { dnsRecordsFor } from '../../mail-daemon/domains/dns-records.ts';
import { checkDnsRecords } from '../../mail-daemon/domains/dns-check.ts';
import { createMailResolver } from '../../mail-daemon/dns/resolver.ts';
import { loadConfig } from '../../mail-daemon/config/config.ts';

const mailctlPath = new URL('../../mail-daemon/mailctl/main.ts', import.meta.url).pathname;

// Loads the zone text and prints each TXT record as JSON: its name and its strings.
const LOAD_ZONE = `
import sys, json, dns.zone, dns.rdatatype
zone = dns.zone.from_text(sys.stdin.read(), origin='example.test.', relativize=False, check_origin=False)
out = []
for name, rdataset in zone.iterate_rdatasets(dns.rdatatype.TXT):
    for rdata in rdataset:
        out.append({'name': name.to_text(), 'strings': [s.decode() for s in rdata.strings]})
print(json.dumps(out))
`;

describe('DKIM record in zone-file form', () => {
  let store: TestStore;
  let dataDir: string;
  let dns: TestDnsServer | undefined;

  before(async () => {
    store = await createTestStore('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'dns-zone-'));
    await addDomain(store, 'example.test', { verified: true });
  });
  after(async () => {
    await dns?.close();
    await store.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const dkimRecord = async () => {
    const domain = (await store.database.prisma.domain.findUnique({ where: { name: 'example.test' } }))!;
    return dnsRecordsFor(domain, loadConfig({ MAIL_HOSTNAME: 'mail.example.test' })).find((r) => r.purpose === 'DKIM')!;
  };

  it('prints TXT strings of at most 255 bytes that a zone parser loads and that join to the key', async () => {
    const printed = spawnSync(process.execPath, ['--import', 'tsx', mailctlPath, 'dns', 'example.test'], {
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: store.testDatabase.url, MAIL_HOSTNAME: 'mail.example.test' },
    });
    assert.equal(printed.status, 0, printed.stderr);
    // Debian's python3, where python3-dnspython is installed (not a pyenv one).
    const loaded = spawnSync('/usr/bin/python3', ['-c', LOAD_ZONE], { input: printed.stdout, encoding: 'utf8' });
    assert.equal(loaded.status, 0, loaded.stderr);
    const records = JSON.parse(loaded.stdout) as { name: string; strings: string[] }[];
    const dkim = await dkimRecord();
    const found = records.find((r) => r.name === `${dkim.name}.`);
    assert.ok(found, `no TXT record at ${dkim.name} in ${loaded.stdout}`);
    assert.ok(found.strings.length >= 2, 'a 2048-bit key needs more than one string');
    for (const s of found.strings) assert.ok(Buffer.byteLength(s) <= 255, `a string of ${Buffer.byteLength(s)} bytes`);
    assert.equal(found.strings.join(''), dkim.value);
    assert.deepEqual(records.find((r) => r.name === 'example.test.' && r.strings[0].startsWith('v=spf1'))?.strings, ['v=spf1 mx -all']);
  });

  it('"Check DNS" finds the DKIM record served as several strings', async () => {
    const dkim = await dkimRecord();
    // The test DNS server sends a value longer than 255 bytes as several strings.
    dns = await startTestDnsServer({ [dkim.name]: { TXT: [dkim.value] } });
    const [check] = await checkDnsRecords(createMailResolver([dns.server]), [dkim]);
    assert.equal(check.status, 'found', JSON.stringify(check.found));
  });
});
