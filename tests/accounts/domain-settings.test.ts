// What the domain pages change, through the domain functions the web's
// actions call (domains.ts), on both engines: signup and the catch-all
// (parsed, and left as they are when not given), suspension, verification;
// and what they do: signup opens and closes with them, a catch-all takes
// mail for unknown addresses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, createTestStore, type TestStore } from '../support/databases.ts';
import { addDomain, findDomain, markDomainVerified, setDomainSuspended, updateDomainSettings } from '../../mail-daemon/domains/domains.ts';
import { createAccount } from '../../mail-daemon/accounts/accounts.ts';
import { signupDomains } from '../../mail-daemon/accounts/signup.ts';
import { resolveRecipient } from '../../mail-daemon/aliases/resolve-recipient.ts';
import { ValidationError } from '../../mail-daemon/errors/validation-error.ts';

for (const engine of ENGINES) {
  describe(`domain settings (${engine})`, () => {
    let store: TestStore;
    let domainId = 0;
    let bobId = 0;
    const domain = async () => (await findDomain(store, 'settings.test'))!;

    before(async () => {
      store = await createTestStore(engine);
      domainId = (await addDomain(store, 'settings.test')).id;
      bobId = (await createAccount(store, { address: 'bob@settings.test', password: 'a long secret for settings' })).id;
    });
    after(() => store.dispose());

    it('sets signup and the catch-all, each left as it is when not given', async () => {
      await updateDomainSettings(store, domainId, { signupOpen: true, catchAllTarget: ' Bob@Settings.TEST ' });
      assert.deepEqual([(await domain()).signupOpen, (await domain()).catchAllTarget], [true, 'bob@settings.test']);
      await updateDomainSettings(store, domainId, { signupOpen: false });
      assert.deepEqual([(await domain()).signupOpen, (await domain()).catchAllTarget], [false, 'bob@settings.test']);
      await updateDomainSettings(store, domainId, { catchAllTarget: '' });
      assert.deepEqual([(await domain()).signupOpen, (await domain()).catchAllTarget], [false, null]);
    });

    it('refuses a catch-all that is not an address, naming the field, and changes nothing', async () => {
      await assert.rejects(
        updateDomainSettings(store, domainId, { signupOpen: true, catchAllTarget: 'not an address' }),
        (error) => error instanceof ValidationError && error.field === 'catchAllTarget',
      );
      assert.deepEqual([(await domain()).signupOpen, (await domain()).catchAllTarget], [false, null]);
    });

    it('verifies and suspends: signup is offered only on a verified, active, open domain, and a catch-all takes unknown addresses', async () => {
      await updateDomainSettings(store, domainId, { signupOpen: true, catchAllTarget: 'bob@settings.test' });
      assert.deepEqual(await signupDomains(store), [], 'not verified yet');
      await markDomainVerified(store, domainId);
      assert.equal((await domain()).verified, true);
      assert.deepEqual(await signupDomains(store), ['settings.test']);
      assert.deepEqual(await resolveRecipient(store, 'nobody@settings.test'), { kind: 'ok', local: [{ accountId: bobId, address: 'bob@settings.test' }], external: [] });
      await setDomainSuspended(store, domainId, true);
      assert.equal((await domain()).disabled, true);
      assert.deepEqual(await signupDomains(store), []);
      assert.notEqual((await resolveRecipient(store, 'nobody@settings.test')).kind, 'ok', 'a suspended domain takes no mail');
      await setDomainSuspended(store, domainId, false);
      assert.deepEqual(await signupDomains(store), ['settings.test']);
    });
  });
}
