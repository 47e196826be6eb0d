// NAMESPACE (RFC 2342), authenticated: one personal namespace, no prefix,
// "/" as the delimiter; no other users' or shared folders.
import { DELIMITER } from '../../store/mailboxes.ts';
import { str } from '../parser/response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const namespaceCommand = defineCommand({
  name: 'NAMESPACE',
  states: AUTHENTICATED,
  parse: (args) => args.end(),
  async handle({ session }) {
    session.untagged('NAMESPACE', [[str(''), str(DELIMITER)]], null, null);
  },
});
