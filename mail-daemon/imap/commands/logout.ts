// LOGOUT (RFC 3501 6.1.3), any state: BYE, the tagged OK, then the close.
import { ANY_STATE, defineCommand } from './command.ts';

export const logoutCommand = defineCommand({
  name: 'LOGOUT',
  states: ANY_STATE,
  parse: (args) => args.end(),
  async handle({ session }) {
    session.sendText('* BYE Logging out');
    session.setState('LOGOUT');
    session.selected = null;
    return { text: 'LOGOUT completed', after: async () => session.close() };
  },
});
