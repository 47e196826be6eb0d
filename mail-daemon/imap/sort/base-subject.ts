// The base subject of RFC 5256 section 2.1, which SORT SUBJECT and both
// THREAD algorithms compare: the subject without "Re:", "Fwd:", "[list]"
// leaders, "(fwd)" trailers and "[Fwd: ...]" wrappers. The input is already
// decoded (RFC 2047 words, done at delivery); step (1)'s whitespace rules are
// applied here. Pure.

export interface BaseSubject {
  /** The base subject, not case-mapped (see unicode-casemap.ts). */
  text: string;
  /** A reply or forward marker was removed (RFC 5256 section 2.1, for REFERENCES step 6). */
  replyOrForward: boolean;
}

const WSP = '[ \\t]';
// subj-blob = "[" *BLOBCHAR "]" *WSP
const BLOB = `\\[[^\\[\\]]*\\]${WSP}*`;
// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
const REFWD = `(?:re|fwd?)${WSP}*(?:${BLOB})?:`;
// subj-leader = (*subj-blob subj-refwd) / WSP
const LEADER = new RegExp(`^(?:(?:${BLOB})*${REFWD}|${WSP})`, 'i');
const LEADING_BLOB = new RegExp(`^${BLOB}`);
// subj-trailer = "(fwd)" / WSP
const TRAILER = new RegExp(`(?:\\(fwd\\)|${WSP})$`, 'i');
const FWD_HEADER = /^\[fwd:/i;

export function baseSubject(subject: string): BaseSubject {
  // (1) Tabs and line breaks become spaces, and runs of spaces one space.
  let text = subject.replace(/[\t\r\n]+/g, ' ').replace(/ {2,}/g, ' ');
  let replyOrForward = false;
  for (;;) {
    // (2) Remove trailers; "(fwd)" marks a forward.
    for (let match = TRAILER.exec(text); match; match = TRAILER.exec(text)) {
      if (match[0] !== ' ' && match[0] !== '\t') replyOrForward = true;
      text = text.slice(0, -match[0].length);
    }
    // (3)-(5) Remove leaders, and a leading blob when something is left after it.
    for (let changed = true; changed; ) {
      changed = false;
      for (let match = LEADER.exec(text); match; match = LEADER.exec(text)) {
        if (match[0] !== ' ' && match[0] !== '\t') replyOrForward = true;
        text = text.slice(match[0].length);
        changed = true;
      }
      const blob = LEADING_BLOB.exec(text);
      if (blob && blob[0].length < text.length) {
        text = text.slice(blob[0].length);
        changed = true;
      }
    }
    // (6) "[Fwd: subject]": a forward of subject; start over with the inside.
    if (FWD_HEADER.test(text) && text.endsWith(']')) {
      text = text.slice(5, -1);
      replyOrForward = true;
      continue;
    }
    return { text, replyOrForward };
  }
}
