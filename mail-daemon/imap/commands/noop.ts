// NOOP (RFC 3501 6.1.2), any state: the registry's refresh after it reports
// what changed in the selected mailbox, which is what clients poll it for.
import { ANY_STATE, defineCommand } from './command.ts';

export const noopCommand = defineCommand({
  name: 'NOOP',
  states: ANY_STATE,
  parse: (args) => args.end(),
  async handle() {},
});
