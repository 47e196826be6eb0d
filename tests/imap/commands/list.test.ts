// LIST (RFC 3501 6.3.8; RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC
// 5819 LIST-STATUS), authenticated: wildcards * and %, the reference
// argument, selection and return options.
import { describe, it } from 'node:test';
import { imapFixture } from '../imap-harness.ts';

describe('IMAP LIST', () => {
  const imap = imapFixture();

  it('matches * across levels and % within one', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: a1 CREATE Work/Plans/2027
      S: a1 OK CREATE completed
      C: a2 LIST "" "Work/%"
      S: * LIST (\\HasChildren) "/" "Work/Plans"
      S: a2 OK LIST completed
      C: a3 LIST "" "Work/*"
      S: * LIST (\\HasChildren) "/" "Work/Plans"
      S: * LIST (\\HasNoChildren) "/" "Work/Plans/2027"
      S: a3 OK LIST completed
      C: a4 LIST Work/ %
      S: * LIST (\\HasChildren) "/" "Work/Plans"
      S: a4 OK LIST completed
      C: a5 LIST "" ""
      S: * LIST (\\Noselect) "/" ""
      S: a5 OK LIST completed
      C: a6 LIST "" Nothing*
      S: a6 OK LIST completed
    `);
  });

  it('takes selection and return options', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: b1 LIST (SPECIAL-USE) "" "*" RETURN (STATUS (MESSAGES))
      S: * LIST (\\HasNoChildren \\Archive) "/" "Archive"
      S: * STATUS "Archive" (MESSAGES 0)
      S: * LIST (\\HasNoChildren \\Drafts) "/" "Drafts"
      S: * STATUS "Drafts" (MESSAGES 0)
      S: * LIST (\\HasNoChildren \\Junk) "/" "Junk"
      S: * STATUS "Junk" (MESSAGES 0)
      S: * LIST (\\HasNoChildren \\Sent) "/" "Sent"
      S: * STATUS "Sent" (MESSAGES 0)
      S: * LIST (\\HasNoChildren \\Trash) "/" "Trash"
      S: * STATUS "Trash" (MESSAGES 0)
      S: b1 OK LIST completed
      C: b2 LIST "" (INBOX Sent)
      S: * LIST (\\HasNoChildren) "/" "INBOX"
      S: * LIST (\\HasNoChildren \\Sent) "/" "Sent"
      S: b2 OK LIST completed
    `);
  });

  it('refuses unknown options and missing arguments', async () => {
    const client = await imap.authenticated();
    await client.transcript(`
      C: c1 LIST (BOGUS) "" "*"
      S: c1 BAD unknown selection option BOGUS
      C: c2 LIST ""
      S: c2 BAD {any}
      C: c3 LIST
      S: c3 BAD {any}
      C: c4 LIST "" "*" RETURN (BOGUS)
      S: c4 BAD {any}
    `);
  });

  it('refuses LIST before login', async () => {
    const client = await imap.anonymous();
    await client.transcript(`
      C: d1 LIST "" "*"
      S: d1 BAD LIST is not allowed before login
    `);
  });
});

describe('IMAP LIST with special characters in the pattern', () => {
  const imap = imapFixture();

  // A pattern that is not valid modified UTF-7 is matched as written ("&'+,-" is the stored name's own text).
  it('matches a pattern atom with "[", "]" and wildcards, and stays connected', async () => {
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    await other.command("o1 CREATE !#$&-'+,-.0123456789:;<=>?@^_`|[}x/y]");
    await client.transcript(`
      C: a1 LIST "" !#$&'+,-.0123456789:;<=>?@^_\`|[}%*
      S: * LIST (\\HasChildren) "/" "!#$&-'+,-.0123456789:;<=>?@^_\`|[}x"
      S: * LIST (\\HasNoChildren) "/" "!#$&-'+,-.0123456789:;<=>?@^_\`|[}x/y]"
      S: a1 OK LIST completed
      C: a2 LIST "" !#$&-'+,-.0123456789:;<=>?@^_\`|[}%*
      S: * LIST (\\HasChildren) "/" "!#$&-'+,-.0123456789:;<=>?@^_\`|[}x"
      S: * LIST (\\HasNoChildren) "/" "!#$&-'+,-.0123456789:;<=>?@^_\`|[}x/y]"
      S: a2 OK LIST completed
      C: a3 LSUB "" !#$&-'+,-.0123456789:;<=>?@^_\`|[}%
      S: a3 OK LSUB completed
      C: a4 LIST "" foo(
      S: a4 BAD {any}
      C: a5 NOOP
      S: a5 OK NOOP completed
    `);
  });
});

describe('IMAP LIST-EXTENDED subscriptions (RFC 5258)', () => {
  const imap = imapFixture();

  it('lists subscribed names (deleted ones \\NonExistent), CHILDINFO with RECURSIVEMATCH, and \\Subscribed only where subscribed', async () => {
    const client = await imap.authenticated();
    const other = await imap.authenticated();
    for (const name of ['t/test1', 't/test2/test1', 't/test3', 't/test6', 't/test8/test8', 't/test8/test9']) await client.command(`c CREATE ${name}`);
    for (const name of ['t/test1', 't/test2/test1', 't/test6', 't/test8/test8', 't/test8/test9']) await client.command(`s SUBSCRIBE ${name}`);
    // Another session deletes a subscribed mailbox: the name stays subscribed (RFC 3501 6.3.9).
    await other.command('d DELETE t/test6');
    await client.transcript(`
      C: a1 LIST (SUBSCRIBED) "" t/*
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test1"
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test2/test1"
      S: * LIST (\\Subscribed \\NonExistent) "/" "t/test6"
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test8/test8"
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test8/test9"
      S: a1 OK LIST completed
      C: a2 LIST (SUBSCRIBED RECURSIVEMATCH) "" t/test2% RETURN (CHILDREN)
      S: * LIST (\\HasChildren) "/" "t/test2" ("CHILDINFO" ("SUBSCRIBED"))
      S: a2 OK LIST completed
      C: a3 LIST "" t/% RETURN (CHILDREN SUBSCRIBED)
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test1"
      S: * LIST (\\HasChildren) "/" "t/test2"
      S: * LIST (\\HasNoChildren) "/" "t/test3"
      S: * LIST (\\HasChildren) "/" "t/test8"
      S: a3 OK LIST completed
      C: a4 LIST (SUBSCRIBED RECURSIVEMATCH) "" *test8
      S: * LIST (\\HasChildren) "/" "t/test8" ("CHILDINFO" ("SUBSCRIBED"))
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test8/test8"
      S: a4 OK LIST completed
      C: a5 LIST (SUBSCRIBED RECURSIVEMATCH) "" (t/test2 t/test2/test1)
      S: * LIST (\\HasNoChildren \\Subscribed) "/" "t/test2/test1"
      S: a5 OK LIST completed
      C: a6 LIST (RECURSIVEMATCH) "" ""
      S: a6 BAD RECURSIVEMATCH needs another selection option
      C: a7 LIST (RECURSIVEMATCH REMOTE) "" "%"
      S: a7 BAD RECURSIVEMATCH needs another selection option
      C: a8 LIST (REMOTE) "" t
      S: * LIST (\\HasChildren) "/" "t"
      S: a8 OK LIST completed
    `);
    await other.command('u UNSUBSCRIBE t/test6');
    await client.transcript(`
      C: a9 LIST (SUBSCRIBED) "" t/test6
      S: a9 OK LIST completed
    `);
  });
});
