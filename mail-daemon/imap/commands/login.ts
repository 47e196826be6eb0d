// LOGIN (RFC 3501 6.2.3), not authenticated; refused without TLS
// (LOGINDISABLED) unless from loopback where configured.
import { logIn } from '../authentication.ts';
import { defineCommand } from './command.ts';

export const loginCommand = defineCommand({
  name: 'LOGIN',
  states: ['NOT_AUTHENTICATED'],
  parse(args) {
    const user = args.astring('user name');
    const password = args.astring('password');
    args.end();
    return { user, password };
  },
  handle: ({ session }, { user, password }) => logIn(session, user, password),
});
