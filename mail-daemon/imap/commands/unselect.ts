// UNSELECT (RFC 3691), selected: leaves the selected state without expunging.
import { SELECTED, defineCommand } from './command.ts';

export const unselectCommand = defineCommand({
  name: 'UNSELECT',
  states: SELECTED,
  parse: (args) => args.end(),
  async handle({ session }) {
    session.selected = null;
    session.setState('AUTHENTICATED');
  },
});
