// AUTHENTICATE PLAIN (RFC 3501 6.2.2, RFC 4616), not authenticated, with the
// initial response on the command line (SASL-IR, RFC 4959) or after "+".
import { actsAsAnother } from '../../accounts/login-name.ts';
import { logIn } from '../authentication.ts';
import { bad, no } from '../imap-error.ts';
import { defineCommand } from './command.ts';

function decodePlain(base64: string): { user: string; password: string } {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw bad('Invalid base64');
  const parts = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3 || !parts[1] || !parts[2]) throw bad('Invalid PLAIN response');
  const [authzid, user, password] = parts;
  if (actsAsAnother(authzid, user)) throw no('AUTHORIZATIONFAILED', 'Cannot act as another user');
  return { user, password };
}

export const authenticateCommand = defineCommand({
  name: 'AUTHENTICATE',
  states: ['NOT_AUTHENTICATED'],
  parse(args) {
    const mechanism = args.atom('mechanism').toUpperCase();
    const initial = args.done ? undefined : args.atom('initial response');
    args.end();
    return { mechanism, initial };
  },
  async handle({ session }, { mechanism, initial }) {
    if (mechanism !== 'PLAIN') throw no('CANNOT', `Unsupported mechanism ${mechanism.slice(0, 20)}`);
    if (!session.loginAllowed) throw no('PRIVACYREQUIRED', 'Use STARTTLS or port 993 first');
    let response = initial;
    if (response === undefined) {
      session.sendText('+ ');
      response = (await session.readLine()).toString('latin1').trim();
    }
    // RFC 3501 6.2.2: "*" cancels; RFC 4959: "=" is an empty initial response.
    if (response === '*') throw bad('Authentication cancelled');
    const { user, password } = decodePlain(response === '=' ? '' : response);
    return logIn(session, user, password);
  },
});
