// The account a web session signs in (web-sessions.ts: webSessionUser), read
// afresh on each request, on both engines: it ends with the session's row
// (sign-out), a password change, the account's or the domain's suspension,
// and never names another account than the one it was made for.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addDomain, setDomainSuspended } from '../../mail-daemon/domains/domains.ts';
import { createAccount, setAccountDisabled, setPassword, type AccountView } from '../../mail-daemon/accounts/accounts.ts';
import { currentPasswordStamp, endWebSession, startWebSession, webSessionUser } from '../../mail-daemon/accounts/web-sessions.ts';

const HOUR = 3_600_000;

for (const engine of ENGINES) {
  describe(`web sessions (${engine})`, () => {
    let store: TestStore;
    let domainId = 0;
    let eve: AccountView, mallory: AccountView;

    before(async () => {
      store = await createTestStore(engine);
      domainId = (await addDomain(store, 'sessions.test', { verified: true })).id;
      eve = await createAccount(store, { address: 'eve@sessions.test', password: 'correct horse battery staple' });
      mallory = await createAccount(store, { address: 'mallory@sessions.test', password: 'another horse battery staple' });
    });
    after(() => store.dispose());

    async function signIn(account: AccountView) {
      return { accountId: account.id, sessionId: await startWebSession(store, account.id, HOUR), stamp: await currentPasswordStamp(store, account.id) };
    }

    it('gives the account while the session lasts, without its password hash, and nothing after sign-out', async () => {
      const session = await signIn(eve);
      const user = await webSessionUser(store, session);
      assert.equal(user?.address, 'eve@sessions.test');
      assert.ok(user && !('passwordHash' in user) && !('domain' in user));
      await endWebSession(store, session.sessionId);
      assert.equal(await webSessionUser(store, session), null);
    });

    it("never gives another account: a session id with another account's id, a made-up id or stamp", async () => {
      const session = await signIn(eve);
      assert.equal(await webSessionUser(store, { ...session, accountId: mallory.id }), null);
      assert.equal(await webSessionUser(store, { ...session, sessionId: 'made-up' }), null);
      assert.equal(await webSessionUser(store, { ...session, sessionId: undefined }), null);
      assert.equal(await webSessionUser(store, { ...session, stamp: (await signIn(mallory)).stamp }), null);
      assert.equal((await webSessionUser(store, session))?.id, eve.id);
    });

    it('ends with a password change, and a new sign-in goes on', async () => {
      const before = await signIn(eve);
      await setPassword(store, 'eve@sessions.test', 'yet another battery staple');
      assert.equal(await webSessionUser(store, before), null);
      assert.equal((await webSessionUser(store, await signIn(eve)))?.id, eve.id);
    });

    it("ends while the account or its domain is suspended", async () => {
      const session = await signIn(eve);
      await setAccountDisabled(store, eve.id, true);
      assert.equal(await webSessionUser(store, session), null);
      await setAccountDisabled(store, eve.id, false);
      assert.equal((await webSessionUser(store, session))?.id, eve.id);
      await setDomainSuspended(store, domainId, true);
      assert.equal(await webSessionUser(store, session), null);
      await setDomainSuspended(store, domainId, false);
      assert.equal((await webSessionUser(store, session))?.id, eve.id);
    });
  });
}
