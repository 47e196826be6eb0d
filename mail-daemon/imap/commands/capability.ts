// CAPABILITY (RFC 3501 6.1.1), any state.
import { ANY_STATE, defineCommand } from './command.ts';

export const capabilityCommand = defineCommand({
  name: 'CAPABILITY',
  states: ANY_STATE,
  parse: (args) => args.end(),
  async handle({ session }) {
    session.untagged('CAPABILITY', ...session.capabilities());
  },
});
