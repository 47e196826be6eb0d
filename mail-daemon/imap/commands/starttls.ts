// STARTTLS (RFC 3501 6.2.1), not authenticated, on the plain port only.
import { bad } from '../imap-error.ts';
import { defineCommand } from './command.ts';

export const startTlsCommand = defineCommand({
  name: 'STARTTLS',
  states: ['NOT_AUTHENTICATED'],
  parse: (args) => args.end(),
  async handle({ session }) {
    if (!session.canStartTls) throw bad(session.isSecure ? 'TLS is active already' : 'STARTTLS is not offered here');
    return { text: 'Begin TLS negotiation now', after: () => session.startTls() };
  },
});
