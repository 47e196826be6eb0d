// COMPRESS (RFC 4978), authenticated or selected: DEFLATE only. After the
// tagged OK both directions are raw deflate (deflate-stream.ts); asked again,
// NO [COMPRESSIONACTIVE] (RFC 4978 3).
import { bad, no } from '../imap-error.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const compressCommand = defineCommand({
  name: 'COMPRESS',
  states: AUTHENTICATED,
  parse(args) {
    const mechanism = args.atom('compression mechanism').toUpperCase();
    args.end();
    return mechanism;
  },
  async handle({ session }, mechanism) {
    if (session.compressing) throw no('COMPRESSIONACTIVE', 'DEFLATE is active already');
    if (mechanism !== 'DEFLATE') throw bad(`unknown compression mechanism ${mechanism.slice(0, 20)}`);
    return { text: 'DEFLATE active', after: async () => session.startCompression() };
  },
});
