// CHECK (RFC 3501 6.4.1), selected state: every change is on disk at commit
// already, so it is a NOOP.
import { SELECTED, defineCommand } from './command.ts';

export const checkCommand = defineCommand({
  name: 'CHECK',
  states: SELECTED,
  parse: (args) => args.end(),
  async handle() {},
});
