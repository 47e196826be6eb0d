// Issue 14, 13: clients set themselves up only for domains hosted here.
// Thunderbird's autoconfig and Outlook's Autodiscover answer for a hosted,
// verified domain and 404 for any other (before, x@gmail.com got a
// "gmail.com" provider); Settings offers an Apple configuration profile,
// read back here with Python's plistlib.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Platform } from '../e2e/platform-fixture.ts';
import { freePort } from '../support/free-port.ts';
import { openDatabase } from '../../prisma/database.ts';
import { closeMailStore, createMailStore } from '../../mail-daemon/store/context.ts';
import { addDomain } from '../../mail-daemon/domains/domains.ts';
import { PASSWORD, signInOverHttp, startWebPlatform } from '../security/web-platform.ts';

const autodiscoverRequest = (address: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;

describe('mail client setup', { timeout: 400_000 }, () => {
  let platform: Platform;
  let submissionPort: number;

  before(async () => {
    submissionPort = await freePort();
    platform = await startWebPlatform([{ address: 'root@setup.test', role: 'admin' }, { address: 'amy@setup.test' }], { SUBMISSION_PORT: String(submissionPort) });
    // A claim whose ownership record was never found is not hosted yet.
    const store = createMailStore(await openDatabase(`file:${join(platform.dataDir, 'mail.db')}`));
    try {
      await addDomain(store, 'claimed.test', { verified: false });
    } finally {
      await closeMailStore(store);
    }
  });

  after(async () => {
    await platform?.stop();
  });

  it('autoconfig answers for hosted domains only', async () => {
    for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml']) {
      const hosted = await fetch(`${platform.base}${path}?emailaddress=amy%40setup.test`);
      assert.equal(hosted.status, 200);
      const xml = await hosted.text();
      assert.match(xml, /<emailProvider id="setup\.test">/);
      assert.match(xml, new RegExp(`<hostname>mail\\.e2e\\.test</hostname>\\s*<port>${platform.imapPort}</port>`));
      for (const address of ['x%40gmail.com', 'eve%40claimed.test', 'not-an-address']) {
        const other = await fetch(`${platform.base}${path}?emailaddress=${address}`);
        assert.equal(other.status, 404, `${path} for ${address}`);
        assert.doesNotMatch(await other.text(), /emailProvider/);
      }
    }
  });

  it('Autodiscover (POX) gives Outlook the IMAP and SMTP servers, in either spelling of the path', async () => {
    for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
      const answer = await fetch(`${platform.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: autodiscoverRequest('Amy@Setup.test') });
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type') ?? '', /application\/xml/);
      const xml = await answer.text();
      assert.match(xml, /<Response xmlns="http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/outlook\/responseschema\/2006a">/);
      assert.match(xml, new RegExp(`<Type>IMAP</Type>\\s*<Server>mail\\.e2e\\.test</Server>\\s*<Port>${platform.imapPort}</Port>\\s*<LoginName>amy@setup\\.test</LoginName>`));
      assert.match(xml, new RegExp(`<Type>SMTP</Type>\\s*<Server>mail\\.e2e\\.test</Server>\\s*<Port>${submissionPort}</Port>`));
      // Only STARTTLS ports are open in this platform.
      assert.match(xml, /<Encryption>TLS<\/Encryption>/);
    }
    const foreign = await fetch(`${platform.base}/autodiscover/autodiscover.xml`, { method: 'POST', body: autodiscoverRequest('x@gmail.com') });
    assert.equal(foreign.status, 404);
    const claimed = await fetch(`${platform.base}/autodiscover/autodiscover.xml`, { method: 'POST', body: autodiscoverRequest('eve@claimed.test') });
    assert.equal(claimed.status, 404);
    const empty = await fetch(`${platform.base}/autodiscover/autodiscover.xml`, { method: 'POST', body: '<Autodiscover/>' });
    assert.equal(empty.status, 400);
  });

  it('refuses, unread, a public POST body over 16 kB or without a length: Autodiscover and sign-in', async () => {
    const big = autodiscoverRequest('amy@setup.test').replace('<Request>', `<Request><!--${'x'.repeat(20_000)}-->`);
    const tooLarge = await fetch(`${platform.base}/autodiscover/autodiscover.xml`, { method: 'POST', body: big });
    assert.equal(tooLarge.status, 413);
    const credentials = new URLSearchParams({ address: 'amy@setup.test', password: 'p'.repeat(20_000), csrfToken: 'x' });
    assert.equal((await fetch(`${platform.base}/api/auth/callback/credentials`, { method: 'POST', body: credentials })).status, 413);
    // A streamed body goes chunked, without Content-Length.
    const streamed = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(credentials.toString()));
        controller.close();
      },
    });
    const unsized = await fetch(`${platform.base}/api/auth/callback/credentials`, { method: 'POST', body: streamed, duplex: 'half' } as RequestInit);
    assert.equal(unsized.status, 411);
  });

  it('Settings offers an Apple configuration profile for the signed-in account only', async () => {
    const anonymous = await fetch(`${platform.base}/api/settings/mobileconfig`);
    assert.equal(anonymous.status, 401);

    const { cookie } = await signInOverHttp(platform.base, 'amy@setup.test', PASSWORD);
    const settings = await (await fetch(`${platform.base}/settings`, { headers: { Cookie: cookie } })).text();
    assert.match(settings, /href="\/api\/settings\/mobileconfig"/);

    const answer = await fetch(`${platform.base}/api/settings/mobileconfig`, { headers: { Cookie: cookie } });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/x-apple-aspen-config/);
    assert.match(answer.headers.get('content-disposition') ?? '', /attachment; filename="amy@setup\.test\.mobileconfig"/);
    const parsed = JSON.parse(
      execFileSync('python3', ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], { input: Buffer.from(await answer.arrayBuffer()) }).toString(),
    );
    assert.equal(parsed.PayloadType, 'Configuration');
    assert.match(parsed.PayloadUUID, /^[0-9a-f-]{36}$/);
    const [mail] = parsed.PayloadContent;
    assert.equal(mail.PayloadType, 'com.apple.mail.managed');
    assert.equal(mail.EmailAddress, 'amy@setup.test');
    assert.equal(mail.EmailAccountType, 'EmailTypeIMAP');
    assert.equal(mail.IncomingMailServerHostName, 'mail.e2e.test');
    assert.equal(mail.IncomingMailServerPortNumber, platform.imapPort);
    assert.equal(mail.IncomingMailServerUsername, 'amy@setup.test');
    assert.equal(mail.OutgoingMailServerPortNumber, submissionPort);
    assert.equal(mail.OutgoingPasswordSameAsIncomingPassword, true);
    assert.notEqual(mail.PayloadUUID, parsed.PayloadUUID);
  });
});
