// Checks the protocol invariants on every response of one session with a
// mailbox selected (CONDSTORE on), as a client that keeps a cache relies on:
// - RFC 3501 7.2.6: a keyword is listed in FLAGS before a FETCH shows it;
// - RFC 3501 7.3.1, 7.4.1: EXISTS never shrinks (only EXPUNGE removes), and
//   EXPUNGE and FETCH name sequence numbers that exist;
// - RFC 3501 2.3.1.1: a sequence number keeps its UID until an EXPUNGE moves
//   it, UIDs ascend with sequence numbers, and a new message's UID (in FETCH
//   or APPENDUID, RFC 4315) is at least the UIDNEXT the session was given;
// - RFC 7162 3.1.3: a message's MODSEQ never goes down, and goes up when its
//   flags change.
// Violations are counted by kind; the first few of each are kept as samples.

const NEW = -1;

export class ProtocolChecker {
  /** Kind of violation: count and the first responses that showed it. */
  readonly violations = new Map<string, { count: number; samples: string[] }>();
  private announced = new Set<string>();
  private exists = 0;
  /** UIDs by sequence number - 1; not yet seen: 0 (there at SELECT) or NEW (arrived since). */
  private uids: number[] = [];
  private uidNextAtSelect = 0;
  private readonly modseqs = new Map<number, number>();
  private readonly flags = new Map<number, string>();

  /** Messages in the mailbox as this session knows them. */
  get messageCount(): number {
    return this.exists;
  }

  private violation(kind: string, response: string): void {
    const entry = this.violations.get(kind) ?? { count: 0, samples: [] };
    entry.count++;
    if (entry.samples.length < 3) entry.samples.push(response.slice(0, 200));
    this.violations.set(kind, entry);
  }

  /** Reads one response (whole, literals left out). */
  check(response: string): void {
    let match: RegExpExecArray | null;
    if ((match = /^\* FLAGS \(([^)]*)\)/i.exec(response))) {
      this.announced = new Set(match[1].split(' ').filter(Boolean).map((f) => f.toLowerCase()));
    } else if ((match = /^\* (\d+) EXISTS/i.exec(response))) {
      const exists = Number(match[1]);
      if (exists < this.exists) this.violation('EXISTS shrank without EXPUNGE', response);
      while (this.uids.length < exists) this.uids.push(this.uidNextAtSelect ? NEW : 0);
      this.uids.length = exists;
      this.exists = exists;
    } else if ((match = /^\* (\d+) EXPUNGE/i.exec(response))) {
      const seq = Number(match[1]);
      if (seq < 1 || seq > this.exists) return this.violation('EXPUNGE of a sequence number that does not exist', response);
      this.uids.splice(seq - 1, 1);
      this.exists--;
    } else if ((match = /^\* (\d+) FETCH \((.*)\)$/i.exec(response))) {
      this.checkFetch(Number(match[1]), match[2], response);
    } else if ((match = /^\* OK \[UIDNEXT (\d+)\]/i.exec(response))) {
      this.uidNextAtSelect = Number(match[1]);
    } else if ((match = /^\S+ OK \[APPENDUID \d+ (\d+)\]/i.exec(response))) {
      if (Number(match[1]) < this.uidNextAtSelect) this.violation('APPENDUID below the UIDNEXT given at SELECT', response);
    }
  }

  private checkFetch(seq: number, items: string, response: string): void {
    if (seq < 1 || seq > this.exists) return this.violation('FETCH of a sequence number that does not exist', response);
    const uidMatch = /\bUID (\d+)/i.exec(items);
    const known = this.uids[seq - 1];
    const uid = uidMatch ? Number(uidMatch[1]) : Math.max(known, 0);
    if (uidMatch) {
      if (known > 0 && known !== uid) this.violation('a sequence number changed its UID without EXPUNGE', response);
      if (known === NEW && uid < this.uidNextAtSelect) this.violation('a new message has a UID below the UIDNEXT given at SELECT', response);
      if (!this.ascending(seq, uid)) this.violation('UIDs not ascending with sequence numbers', response);
      this.uids[seq - 1] = uid;
    }
    const flagsMatch = /\bFLAGS \(([^)]*)\)/i.exec(items);
    const flags = flagsMatch ? flagsMatch[1].split(' ').filter(Boolean) : undefined;
    if (flags) {
      for (const flag of flags) {
        if (!flag.startsWith('\\') && !this.announced.has(flag.toLowerCase())) this.violation('keyword in FETCH before FLAGS announced it', response);
      }
    }
    const modseqMatch = /\bMODSEQ \((\d+)\)/i.exec(items);
    if (modseqMatch && uid) {
      const modseq = Number(modseqMatch[1]);
      const before = this.modseqs.get(uid);
      const flagText = flags ? [...flags].map((f) => f.toLowerCase()).sort().join(' ') : undefined;
      const flagsBefore = this.flags.get(uid);
      if (before !== undefined && modseq < before) this.violation('MODSEQ went down', response);
      else if (before !== undefined && flagText !== undefined && flagsBefore !== undefined && flagText !== flagsBefore && modseq <= before) {
        this.violation('flags changed without a higher MODSEQ', response);
      }
      this.modseqs.set(uid, Math.max(modseq, before ?? 0));
      if (flagText !== undefined) this.flags.set(uid, flagText);
    }
  }

  /** Whether `uid` at `seq` lies between the UIDs known before and after it. */
  private ascending(seq: number, uid: number): boolean {
    for (let i = seq - 2; i >= 0; i--) {
      if (this.uids[i] > 0) {
        if (this.uids[i] >= uid) return false;
        break;
      }
    }
    for (let i = seq; i < this.uids.length; i++) {
      if (this.uids[i] > 0) return this.uids[i] > uid;
    }
    return true;
  }
}
