import { buildMessage } from '../../support/messages.ts';

// Messages that exercise every SORT key and both THREAD algorithms: encoded
// subjects and names, list tags, forwards, groups, missing fields, equal
// dates, time zones, missing and looping references, duplicate ids. Each
// comes with the internal date it is appended with, so that two servers
// given the same APPENDs hold the same mailbox.

export interface CorpusMessage {
  raw: Buffer;
  /** For APPEND: "02-Nov-2026 10:00:00 +0000". */
  internalDate: string;
}

function message(headers: Record<string, string | undefined>, body = 'Hello.\n'): Buffer {
  const head = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`);
}

const day = (n: number, time = '10:00:00', zone = '+0000') => `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(Date.UTC(2026, 10, n)).getUTCDay()]}, ${n} Nov 2026 ${time} ${zone}`;

const fields: [Record<string, string | undefined>, string?][] = [
  [{ From: '"Zed Adams" <zed@a.test>', To: 'bob@b.test', Cc: 'carol@c.test', Subject: 'Party plans', Date: day(2), 'Message-ID': '<p1@x.test>' }],
  [{ From: 'Alice <alice@b.test>', To: 'Zed <zed@a.test>', Subject: 'Re: Party plans', Date: day(3), 'Message-ID': '<p2@x.test>', References: '<p1@x.test>' }, 'A much longer reply body.\n'.repeat(20)],
  [{ From: 'zed@a.test', To: 'alice@b.test', Subject: 'Re: Re: Party plans', Date: day(4), 'Message-ID': '<p3@x.test>', References: '<p1@x.test> <p2@x.test>' }],
  [{ From: '=?utf-8?q?=C3=89mile?= <emile@e.test>', To: '=?utf-8?q?J=C3=BCrgen?= <jurgen@e.test>', Subject: '=?utf-8?q?=C3=84pfel_und_Birnen?=', Date: day(5), 'Message-ID': '<f1@x.test>' }],
  [{ From: 'List Bot <bot@list.test>', To: 'list@list.test', Subject: '[list] Re: hello (fwd)', Date: day(6), 'Message-ID': '<h1@x.test>' }],
  [{ From: 'Carol <carol@c.test>', To: 'list@list.test', Subject: 'hello', 'Message-ID': '<h2@x.test>' }],
  [{ From: 'Dave <Dave@D.test>', To: 'undisclosed-recipients:;', Subject: '[Fwd: hello]', Date: day(7), 'Message-ID': '<h3@x.test>' }],
  [{ From: '_under@u.test', To: 'Team: a@x.test, b@x.test;', Cc: '"Zoe" <zoe@z.test>', Subject: 'apples', Date: day(7), 'Message-ID': '<a1@x.test>' }, 'Short.\n'],
  [{ To: 'nobody@n.test', Date: day(8), 'Message-ID': '<n1@x.test>' }],
  [{ From: 'Upper <UPPER@X.test>', To: 'alice@b.test', Subject: 'Time zones', Date: day(9, '01:00:00', '+0900'), 'Message-ID': '<t1@x.test>' }],
  [{ From: 'lower <lower@x.test>', To: 'Alice <alice@b.test>', Subject: 'time Zones', Date: day(8, '20:00:00', '-0500'), 'Message-ID': '<t2@x.test>' }],
  [{ From: 'Orphan One <o1@o.test>', To: 'alice@b.test', Subject: 'Orphans', Date: day(10), 'Message-ID': '<o1@x.test>', References: '<gone@x.test>' }],
  [{ From: 'Orphan Two <o2@o.test>', To: 'alice@b.test', Subject: 'Re: Orphans', Date: day(11), 'Message-ID': '<o2@x.test>', References: '<gone@x.test>' }],
  [{ From: 'Loop A <la@l.test>', To: 'alice@b.test', Subject: 'loop a', Date: day(12), 'Message-ID': '<la@x.test>', References: '<lb@x.test>' }],
  [{ From: 'Loop B <lb@l.test>', To: 'alice@b.test', Subject: 'loop b', Date: day(13), 'Message-ID': '<lb@x.test>', References: '<la@x.test>' }],
  [{ From: 'Dup <dup@d.test>', To: 'alice@b.test', Subject: 'duplicate id', Date: day(14), 'Message-ID': '<p1@x.test>' }],
  [{ From: 'Replier <r@r.test>', To: 'alice@b.test', Subject: 'Re: Party plans', Date: day(15), 'Message-ID': '<p4@x.test>', 'In-Reply-To': '<p2@x.test>' }],
  [{ From: 'Late <late@l.test>', To: 'alice@b.test', Subject: 'RE: party PLANS', Date: day(16), 'Message-ID': '<p5@x.test>' }],
  [{ From: '"Quoted, Name" <q@q.test>', To: '"b" <b@b.test>', Subject: 'RE: [PATCH] [v2] foo', Date: day(2), 'Message-ID': '<patch1@x.test>' }],
  [{ From: 'Patcher <p@p.test>', To: 'c@c.test', Subject: '[PATCH] [v2] foo', Date: day(2), 'Message-ID': '<patch0@x.test>' }],
  [{ From: 'No Subject <ns@n.test>', To: 'alice@b.test', Date: day(17), 'Message-ID': '<ns@x.test>' }],
  [{ From: 'Tab <tab@t.test>', To: 'alice@b.test', Subject: 'Fw:\tFWD: Orphans', Date: day(18), 'Message-ID': '<fw@x.test>', References: '<o9@x.test> <o1@x.test>' }],
  [{ From: 'Mid <mid@m.test>', To: 'alice@b.test', Subject: 'middle', Date: day(19), 'Message-ID': '<m2@x.test>', References: '<p1@x.test> <missing@x.test>' }],
  [{ From: 'Emoji <e@e.test>', To: 'alice@b.test', Subject: '=?utf-8?b?8J+YgCBzbWlsZQ==?=', Date: day(20), 'Message-ID': '<e1@x.test>' }],
  [{ From: 'Zürich <z@z.test>', To: '=?iso-8859-1?q?=C9ric?= <eric@e.test>', Subject: '[Fwd: Re: =?utf-8?q?=C3=84pfel_und_Birnen?=]', Date: day(21), 'Message-ID': '<f2@x.test>' }],
];

/** Internal dates out of sequence order, with messages 1 and 2 at the same second (ARRIVAL ties go to the sequence number). */
function internalDate(i: number): string {
  const hours = i === 1 ? 0 : (i * 7) % 25;
  return `${String(1 + Math.floor(hours / 24)).padStart(2, '0')}-Nov-2026 ${String(hours % 24).padStart(2, '0')}:00:00 +0000`;
}

export const SORT_CORPUS: CorpusMessage[] = fields.map(([headers, body], i) => ({
  raw: message({ ...headers, 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8' }, body),
  internalDate: internalDate(i),
}));

/** The commands compared, each with its tag. */
export const SORT_COMMANDS = [
  'SORT (ARRIVAL) UTF-8 ALL',
  'SORT (REVERSE ARRIVAL) UTF-8 ALL',
  'SORT (DATE) UTF-8 ALL',
  'SORT (REVERSE DATE) UTF-8 ALL',
  'SORT (SIZE) UTF-8 ALL',
  'SORT (REVERSE SIZE DATE) UTF-8 ALL',
  'SORT (SUBJECT) UTF-8 ALL',
  'SORT (REVERSE SUBJECT) UTF-8 ALL',
  'SORT (SUBJECT REVERSE DATE) UTF-8 ALL',
  'SORT (FROM) UTF-8 ALL',
  'SORT (REVERSE FROM SUBJECT) UTF-8 ALL',
  'SORT (TO) UTF-8 ALL',
  'SORT (CC) UTF-8 ALL',
  'SORT (DISPLAYFROM) UTF-8 ALL',
  'SORT (DISPLAYTO) UTF-8 ALL',
  'SORT (REVERSE DISPLAYFROM) US-ASCII ALL',
  'SORT (SUBJECT) US-ASCII SENTSINCE 5-Nov-2026',
  'SORT (DATE) UTF-8 OR FROM zed SUBJECT orphans',
  'UID SORT (FROM) UTF-8 ALL',
  'UID SORT (REVERSE DATE) UTF-8 2:10',
  'SORT (DATE) UTF-8 SUBJECT nothing-matches-this',
  'SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL',
  'SORT RETURN (ALL) (REVERSE DATE) UTF-8 ALL',
  'SORT RETURN (MIN) (SUBJECT) UTF-8 ALL',
  'SORT RETURN (MAX COUNT) (FROM) UTF-8 SENTSINCE 10-Nov-2026',
  'SORT RETURN () (SIZE) UTF-8 ALL',
  'UID SORT RETURN (ALL COUNT) (ARRIVAL) UTF-8 ALL',
  'SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT nothing-matches-this',
  'THREAD ORDEREDSUBJECT UTF-8 ALL',
  'THREAD REFERENCES UTF-8 ALL',
  'UID THREAD REFERENCES UTF-8 ALL',
  'UID THREAD ORDEREDSUBJECT UTF-8 ALL',
  'THREAD REFERENCES UTF-8 NOT SUBJECT orphans',
  'THREAD REFERENCES US-ASCII SUBJECT party',
  'THREAD REFERENCES UTF-8 SUBJECT nothing-matches-this',
];

const sent = (day: number) => `${day} Nov 2026 10:00:00 +0000`;

/**
 * Six small messages for transcripts and clients. By sent date: 4, 1, 3, 2,
 * 5, 6. Threads: 4 and 5 answer the same missing message; 2 and 3 answer 1;
 * 6 is a reply by its subject only.
 */
export const LUNCH_THREADS = [
  buildMessage({ subject: 'Lunch', messageId: '<l1@x.test>', headers: { Date: sent(2) } }),
  buildMessage({ subject: 'Re: Lunch', messageId: '<l2@x.test>', headers: { Date: sent(4), References: '<l1@x.test>' } }),
  buildMessage({ subject: 'Re: Lunch', messageId: '<l3@x.test>', headers: { Date: sent(3), 'In-Reply-To': '<l1@x.test>' } }),
  buildMessage({ subject: 'Orphan', messageId: '<o1@x.test>', headers: { Date: sent(1), References: '<missing@x.test>' } }),
  buildMessage({ subject: 'Other orphan', messageId: '<o2@x.test>', headers: { Date: sent(5), References: '<missing@x.test>' } }),
  buildMessage({ subject: 'RE: lunch', messageId: '<l4@x.test>', headers: { Date: sent(6) } }),
];
