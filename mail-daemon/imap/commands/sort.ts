// SORT and UID SORT (RFC 5256 3), with SORT=DISPLAY's keys (RFC 5957) and
// ESORT's RETURN (RFC 5267 3.1); selected. The criteria are SEARCH's, run by
// the same code; the order comes from sort-fields-cache.ts (the stored
// envelopes read only when an address key is named).
import { esearchResponse, highestModseq } from '../esearch-response.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import type { ResponseValue } from '../parser/response.ts';
import { charsetName, parseReturnOptions, parseSearchCriteria, usesModseq } from '../parser/search-keys.ts';
import { formatSequenceSet } from '../parser/sequence-set.ts';
import { checkSearchCharset, searchSelected, type FoundMessage } from '../search-selected.ts';
import { parseSortCriteria } from '../sort/sort-program.ts';
import { sortedPositions } from '../sort/sort-fields-cache.ts';
import { SELECTED, defineCommand } from './command.ts';

export const sortCommand = defineCommand({
  name: 'SORT',
  states: SELECTED,
  hasUidForm: true,
  holdsExpunges: true,
  // SORT [RETURN (options)] (criteria) charset search-key...
  parse: (args) => {
    const tokens = args.rest();
    const { returns, rest } = parseReturnOptions(tokens);
    const list = rest[0];
    if (list?.type !== 'list') throw new ImapParseError('missing sort criteria');
    return { returns, criteria: parseSortCriteria(list.items), charset: charsetName(rest[1]), key: parseSearchCriteria(rest.slice(2)) };
  },
  async handle({ session, uid, tag }, { returns, criteria, charset, key }) {
    checkSearchCharset(charset);
    const found = await searchSelected(session, key);
    const order = await sortedPositions(session.store, session.account!.id, session.selected!, found.map((f) => f.uid), criteria);
    const sorted: FoundMessage[] = order.map((i) => found[i]);
    const numbers = sorted.map((f) => (uid ? f.uid : f.seq));
    const withModseq = usesModseq(key);
    if (returns === undefined) {
      // The numbers as one atom: a long answer written in one piece.
      const line: ResponseValue[] = numbers.length > 0 ? ['SORT', numbers.join(' ')] : ['SORT'];
      // RFC 7162 3.1.5 applies to SORT as to SEARCH.
      if (withModseq && sorted.length > 0) line.push(['MODSEQ', highestModseq(sorted)]);
      session.untagged(...line);
      return;
    }
    // RFC 5267 3.1: MIN and MAX are the first and last in sort order, and ALL keeps that order.
    const [min, max] = [sorted[0], sorted[sorted.length - 1]];
    session.untagged(...esearchResponse({ tag, uid, options: returns, found: sorted, min, max, all: formatSequenceSet(numbers), withModseq }));
  },
});
