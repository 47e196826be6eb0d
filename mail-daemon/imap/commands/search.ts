// SEARCH and UID SEARCH (RFC 3501 6.4.4, 6.4.8), with ESEARCH's RETURN
// (RFC 4731) and MODSEQ (RFC 7162 3.1.5); selected.
import { esearchResponse, highestModseq } from '../esearch-response.ts';
import { parseSearch, usesModseq } from '../parser/search-keys.ts';
import { formatSequenceSet } from '../parser/sequence-set.ts';
import type { ResponseValue } from '../parser/response.ts';
import { checkSearchCharset, searchSelected } from '../search-selected.ts';
import { SELECTED, defineCommand } from './command.ts';

export const searchCommand = defineCommand({
  name: 'SEARCH',
  states: SELECTED,
  hasUidForm: true,
  holdsExpunges: true,
  parse: (args) => parseSearch(args.rest()),
  async handle({ session, uid, tag }, { key, charset, returns }) {
    checkSearchCharset(charset);
    const withModseq = usesModseq(key);
    const found = await searchSelected(session, key);
    const numbers = found.map((f) => (uid ? f.uid : f.seq));
    // RFC 9051 6.4.4: a rev2 session always gets ESEARCH; no RETURN means ALL.
    if (returns === undefined && !session.rev2) {
      const line: ResponseValue[] = ['SEARCH', ...numbers];
      if (withModseq && found.length > 0) line.push(['MODSEQ', highestModseq(found)]);
      session.untagged(...line);
      return;
    }
    const [min, max] = [found[0], found[found.length - 1]];
    session.untagged(...esearchResponse({ tag, uid, options: returns ?? [], found, min, max, all: formatSequenceSet(numbers), withModseq }));
  },
});
