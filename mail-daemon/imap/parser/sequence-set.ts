// Sequence sets (RFC 3501 9 sequence-set, RFC 9051 6.4.1): "1:4,7,9:*". The
// same syntax names message sequence numbers or UIDs; "*" is the largest
// number in use, and "n:m" is the same range as "m:n".
import { ImapParseError } from './command-parser.ts';

export type SequenceBound = number | '*';
export type SequenceSet = [SequenceBound, SequenceBound][];

const MAX_RANGES = 10_000;
const NUMBER = /^[1-9]\d{0,9}$/;

function bound(text: string): SequenceBound {
  if (text === '*') return '*';
  if (!NUMBER.test(text) || Number(text) > 0xffffffff) throw new ImapParseError(`invalid sequence number ${JSON.stringify(text.slice(0, 20))}`);
  return Number(text);
}

export function parseSequenceSet(text: string): SequenceSet {
  const pieces = text.split(',');
  if (pieces.length > MAX_RANGES) throw new ImapParseError('sequence set is too long');
  return pieces.map((piece) => {
    const ends = piece.split(':');
    if (ends.length > 2) throw new ImapParseError('invalid sequence range');
    const first = bound(ends[0]);
    return [first, ends.length === 2 ? bound(ends[1]) : first];
  });
}

export function isSequenceSet(text: string): boolean {
  return /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(text);
}

/** The ranges with "*" replaced by `largest`, low end first. */
export function concreteRanges(set: SequenceSet, largest: number): [number, number][] {
  return set.map(([a, b]) => {
    const x = a === '*' ? largest : a;
    const y = b === '*' ? largest : b;
    return x <= y ? [x, y] : [y, x];
  });
}

/** Formats sorted numbers compactly ("1:3,7"), as COPYUID and ESEARCH write them. */
export function formatSequenceSet(numbers: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    parts.push(j === i ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
