// ID (RFC 2971), any state: the client's list is read and ignored; the
// server names itself.
import { ImapParseError } from '../parser/command-parser.ts';
import { str } from '../parser/response.ts';
import { ANY_STATE, defineCommand } from './command.ts';

export const idCommand = defineCommand({
  name: 'ID',
  states: ANY_STATE,
  parse(args) {
    const token = args.next('ID parameters');
    if (token.type === 'atom' ? token.value.toUpperCase() !== 'NIL' : token.type !== 'list') throw new ImapParseError('ID needs a list or NIL');
    if (token.type === 'list') {
      // RFC 2971 3.3: field and value pairs, at most 30 of them.
      if (token.items.length % 2 !== 0) throw new ImapParseError('ID fields come in field and value pairs');
      if (token.items.length > 60) throw new ImapParseError('too many ID fields');
    }
    args.end();
  },
  async handle({ session }) {
    session.untagged('ID', [str('name'), str('mailplatform'), str('vendor'), str('mailplatform')]);
  },
});
