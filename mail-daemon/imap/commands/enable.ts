// ENABLE (RFC 5161), authenticated: CONDSTORE (RFC 7162) and UTF8=ACCEPT
// (RFC 6855), IMAP4rev2 (RFC 9051 Appendix A), QRESYNC (RFC 7162 3.2.3, which enables CONDSTORE too); others
// are ignored, as the RFC says.
import { atomsOf } from '../parser/argument-reader.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import { defineCommand } from './command.ts';

/** By the upper-case name a client may send, the spelling the session keeps and ENABLED echoes. */
const SUPPORTED = new Map(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT', 'IMAP4rev2'].map((name) => [name.toUpperCase(), name]));

export const enableCommand = defineCommand({
  name: 'ENABLE',
  // RFC 5161 3.1, RFC 9051 6.3.1: only before a mailbox is selected, so that
  // names and replies do not change form under a selected mailbox.
  states: ['AUTHENTICATED'],
  parse(args) {
    const names: string[] = [];
    while (!args.done) names.push(...atomsOf([args.next('capability')], 'capability'));
    if (names.length === 0) throw new ImapParseError('ENABLE needs a capability');
    return names.map((n) => n.toUpperCase());
  },
  async handle({ session }, names) {
    const known = [...new Set(names.map((name) => SUPPORTED.get(name)).filter((name) => name !== undefined))];
    const newly = known.filter((name) => !session.enabled.has(name));
    for (const name of newly) session.enabled.add(name);
    if (session.qresync) session.enabled.add('CONDSTORE');
    session.untagged('ENABLED', ...newly);
  },
});
