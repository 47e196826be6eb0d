// A session's view of its selected mailbox (RFC 3501 2.3.1.2, 5.2, 7.4.1):
// the UIDs in sequence-number order as this client knows them, which only
// change when the session tells the client (EXISTS, EXPUNGE). Between
// commands refresh() reads what changed since the last known modseq and
// reports it; expunges wait while sequence numbers must stay still.
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';
import { expungedSince, listMessageStates } from '../store/messages.ts';
import { claimRecent, keywordList, mailboxSyncState } from '../store/mailboxes.ts';
import { SYSTEM_FLAGS } from '../store/flags.ts';
import { bad, no } from './imap-error.ts';
import type { ImapSession } from './imap-session.ts';
import { concreteRanges, formatSequenceSet, type SequenceSet } from './parser/sequence-set.ts';

export class SelectedMailbox {
  readonly id: number;
  readonly uidValidity: number;
  /** UIDs in sequence order: index + 1 is the message sequence number. */
  uids: number[];
  /** Modseq up to which the client has been told everything. */
  highestModseq: number;
  /** UIDs above this are news. */
  private knownUidNext: number;
  /** Expunged in the store, not yet reported: their sequence numbers still stand. */
  private readonly pendingExpunges = new Set<number>();
  /** Modseqs of this session's own STOREs, already reported in their replies. */
  private readonly ownModseqs = new Set<number>();
  /** The keywords the client was told of in FLAGS (RFC 3501 7.2.6), lower case. */
  private readonly announced = new Set<string>();
  private keywords: string[] = [];
  /** UIDs that are \\Recent in this session (RFC 3501 2.3.2). */
  private readonly recent = new Set<number>();

  constructor(
    mailbox: Mailbox,
    public name: string,
    readonly readOnly: boolean,
    uids: number[],
  ) {
    this.id = mailbox.id;
    this.uidValidity = mailbox.uidValidity;
    this.uids = uids;
    this.highestModseq = mailbox.highestModseq;
    this.knownUidNext = Math.max(mailbox.uidNext, (uids[uids.length - 1] ?? 0) + 1);
    this.addKeywords(keywordList(mailbox.keywords));
  }

  private addKeywords(keywords: string[]): boolean {
    let grew = false;
    for (const keyword of keywords) {
      if (this.announced.has(keyword.toLowerCase())) continue;
      this.announced.add(keyword.toLowerCase());
      this.keywords.push(keyword);
      grew = true;
    }
    return grew;
  }

  /** FLAGS and PERMANENTFLAGS (RFC 3501 7.2.6, 7.1): the system flags and the mailbox's keywords. */
  sendFlags(session: ImapSession): void {
    const flags = [...SYSTEM_FLAGS, ...this.keywords];
    session.untagged('FLAGS', flags);
    session.untagged('OK', `[PERMANENTFLAGS (${this.readOnly ? '' : [...flags, '\\*'].join(' ')})]`, 'Flags permitted');
  }

  /**
   * A message's flags for an untagged FETCH. RFC 3501 7.2.6: a keyword the
   * client was not told of goes out in FLAGS first, whichever session added it.
   */
  flagsForFetch(session: ImapSession, uid: number, flags: string[]): string[] {
    if (this.addKeywords(flags.filter((f) => !f.startsWith('\\')))) this.sendFlags(session);
    return this.recent.has(uid) ? [...flags, '\\Recent'] : flags;
  }

  get recentUids(): ReadonlySet<number> {
    return this.recent;
  }

  /**
   * Takes the \\Recent of new messages (RFC 3501 2.3.2): a SELECTed session
   * claims them for itself alone; an EXAMINEd one sees what nobody claimed and
   * leaves it (6.3.2); an IMAP4rev2 session has no \\Recent (RFC 9051).
   */
  async takeRecent(session: ImapSession, uids: number[], recentUid: number): Promise<void> {
    if (session.rev2 || uids.length === 0) return;
    const from = this.readOnly ? recentUid : await claimRecent(session.store, this.id, recentUid, uids[uids.length - 1]);
    for (const uid of uids) if (uid > from) this.recent.add(uid);
  }

  get exists(): number {
    return this.uids.length;
  }

  /** 1-based sequence number of a UID in this view, or 0. */
  seqOf(uid: number): number {
    let low = 0;
    let high = this.uids.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = this.uids[mid];
      if (value === uid) return mid + 1;
      if (value < uid) low = mid + 1;
      else high = mid - 1;
    }
    return 0;
  }

  isExpunged(uid: number): boolean {
    return this.pendingExpunges.has(uid);
  }

  /** The UIDs a sequence set names, ascending. A sequence number past the end is a BAD (RFC 9051 6.4.1). */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    if (byUid) {
      const ranges = concreteRanges(set, this.uids[this.uids.length - 1] ?? 0);
      return this.uids.filter((uid) => ranges.some(([low, high]) => uid >= low && uid <= high));
    }
    const ranges = concreteRanges(set, this.uids.length);
    for (const [low, high] of ranges) if (low < 1 || high > this.uids.length) throw bad('Invalid message sequence number');
    // One range ("1:*", the usual FETCH of a whole mailbox) is a slice as it is.
    if (ranges.length === 1) return this.uids.slice(ranges[0][0] - 1, ranges[0][1]);
    const picked = new Set<number>();
    for (const [low, high] of ranges) for (let seq = low; seq <= high; seq++) picked.add(seq);
    return [...picked].sort((a, b) => a - b).map((seq) => this.uids[seq - 1]);
  }

  /** Commands that change the mailbox refuse an EXAMINEd one (RFC 3501 6.3.2). */
  assertWritable(): void {
    if (this.readOnly) throw no('READ-ONLY', 'Mailbox is read-only');
  }

  /** After this session's STORE: its FETCH replies already told the client. */
  noteOwnChange(modseq: number): void {
    this.ownModseqs.add(modseq);
  }

  /** Whether each modseq after the known one, up to `modseq`, is one of this session's STOREs. */
  private onlyOwnChangesUpTo(modseq: number): boolean {
    if (modseq - this.highestModseq > this.ownModseqs.size) return false;
    for (let m = this.highestModseq + 1; m <= modseq; m++) if (!this.ownModseqs.has(m)) return false;
    return true;
  }

  async refresh(session: ImapSession, allowExpunge: boolean): Promise<void> {
    const accountId = session.account!.id;
    // Read the modseq first: whatever happens after it is read again next time.
    const state = await mailboxSyncState(session.store, accountId, this.id);
    if (state === null) {
      // Deleted by another session: nothing this view says holds any more (RFC 2180 3.1).
      session.sendText('* BYE Selected mailbox was deleted');
      session.close();
      return;
    }
    const { highestModseq } = state;
    // Every session with the mailbox selected hears of a new keyword, used by a message it sees or not.
    if (this.addKeywords(state.keywords)) this.sendFlags(session);
    if (highestModseq !== this.highestModseq && this.onlyOwnChangesUpTo(highestModseq)) {
      // Every change since is this session's STOREs, already reported: nothing to read.
      this.highestModseq = highestModseq;
      this.ownModseqs.clear();
    } else if (highestModseq !== this.highestModseq) {
      const since = this.highestModseq;
      const [changed, gone] = await Promise.all([
        listMessageStates(session.store, accountId, this.id, { changedSince: since, knownUidNext: this.knownUidNext }),
        expungedSince(session.store, accountId, this.id, since),
      ]);
      for (const uid of gone) if (this.seqOf(uid)) this.pendingExpunges.add(uid);
      const added = changed.filter((m) => m.uid >= this.knownUidNext);
      const flagged = changed.filter((m) => m.uid < this.knownUidNext && !this.ownModseqs.has(m.modseq) && !this.pendingExpunges.has(m.uid));
      if (added.length > 0) {
        this.knownUidNext = added[added.length - 1].uid + 1;
        this.uids.push(...added.map((m) => m.uid));
        await this.takeRecent(session, added.map((m) => m.uid), state.recentUid);
        session.untagged(this.uids.length, 'EXISTS');
        if (!session.rev2) session.untagged(this.recent.size, 'RECENT');
      }
      for (const message of flagged) {
        const seq = this.seqOf(message.uid);
        if (!seq) continue;
        // RFC 7162 3.2.4: with CONDSTORE on, unsolicited FETCH carries MODSEQ.
        const items: (string | number | string[] | number[])[] = ['UID', message.uid, 'FLAGS', this.flagsForFetch(session, message.uid, message.flags)];
        if (session.condstore) items.push('MODSEQ', [message.modseq]);
        session.untagged(seq, 'FETCH', items);
      }
      this.highestModseq = highestModseq;
      for (const modseq of this.ownModseqs) if (modseq <= this.highestModseq) this.ownModseqs.delete(modseq);
    }
    if (allowExpunge && this.pendingExpunges.size > 0) this.reportExpunges(session);
  }

  private reportExpunges(session: ImapSession): void {
    // RFC 7162 3.2.10: with QRESYNC on, one VANISHED with the UIDs instead.
    if (session.qresync) {
      session.untagged('VANISHED', formatSequenceSet(this.uids.filter((uid) => this.pendingExpunges.has(uid))));
    } else {
      // Highest sequence number first: each EXPUNGE shifts only those after it.
      for (let index = this.uids.length - 1; index >= 0; index--) {
        if (this.pendingExpunges.has(this.uids[index])) session.untagged(index + 1, 'EXPUNGE');
      }
    }
    this.uids = this.uids.filter((uid) => !this.pendingExpunges.has(uid));
    for (const uid of this.pendingExpunges) this.recent.delete(uid);
    this.pendingExpunges.clear();
  }
}
