// The ESEARCH response (RFC 4731 3.1) of SEARCH RETURN and SORT RETURN (ESORT,
// RFC 5267 3.1): one line with the options asked for, where SORT's results
// are in sort order and SEARCH's ascending.
import { str, type ResponseValue } from './parser/response.ts';
import type { FoundMessage } from './search-selected.ts';

export interface EsearchResult {
  tag: string;
  uid: boolean;
  /** RETURN options, upper case; empty means ALL (RFC 4731 3.1). */
  options: string[];
  /** In the order of the response. */
  found: FoundMessage[];
  min?: FoundMessage;
  max?: FoundMessage;
  /** The ALL set as written. */
  all: string;
  /** RFC 7162 3.1.5: the criteria named MODSEQ. */
  withModseq: boolean;
}

export function esearchResponse(result: EsearchResult): ResponseValue[] {
  const { tag, uid, found, min, max, withModseq } = result;
  const options = result.options.length === 0 ? ['ALL'] : result.options;
  const number = (f: FoundMessage) => (uid ? f.uid : f.seq);
  const line: ResponseValue[] = ['ESEARCH', ['TAG', str(tag)]];
  if (uid) line.push('UID');
  if (found.length > 0) {
    if (options.includes('MIN') && min) line.push('MIN', number(min));
    if (options.includes('MAX') && max) line.push('MAX', number(max));
    if (options.includes('ALL')) line.push('ALL', result.all);
  }
  if (options.includes('COUNT')) line.push('COUNT', found.length);
  if (withModseq && found.length > 0) {
    // RFC 4731 3.2: the highest mod-sequence of the messages returned; with only MIN
    // and/or MAX those are the two ends, not all of them.
    const ends = [...(options.includes('MIN') && min ? [min] : []), ...(options.includes('MAX') && max ? [max] : [])];
    const returned = options.includes('ALL') || options.includes('COUNT') ? found : ends;
    line.push('MODSEQ', highestModseq(returned));
  }
  return line;
}

export function highestModseq(found: FoundMessage[]): number {
  return found.reduce((max, f) => Math.max(max, f.modseq), 0);
}
