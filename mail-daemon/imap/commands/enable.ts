// ENABLE (RFC 5161), authenticated: CONDSTORE (RFC 7162) and UTF8=ACCEPT
// (RFC 6855), QRESYNC (RFC 7162 3.2.3, which enables CONDSTORE too); others
// are ignored, as the RFC says.
import { atomsOf } from '../parser/argument-reader.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

const SUPPORTED = new Set(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT']);

export const enableCommand = defineCommand({
  name: 'ENABLE',
  states: AUTHENTICATED,
  parse(args) {
    const names: string[] = [];
    while (!args.done) names.push(...atomsOf([args.next('capability')], 'capability'));
    if (names.length === 0) throw new ImapParseError('ENABLE needs a capability');
    return names.map((n) => n.toUpperCase());
  },
  async handle({ session }, names) {
    const newly = names.filter((name) => SUPPORTED.has(name) && !session.enabled.has(name));
    for (const name of newly) session.enabled.add(name);
    if (session.qresync) session.enabled.add('CONDSTORE');
    session.untagged('ENABLED', ...newly);
  },
});
