// RFC 5322 3.4 address lists, as the IMAP ENVELOPE needs them (RFC 3501
// 7.4.2): mailboxes with their display name, source route and address, and
// groups ("name: members;"), which may be empty. Comments are not addresses:
// one stands in for a missing display name ("user@domain (Real Name)"), and is
// dropped otherwise. Lenient like Dovecot's parser: what cannot be read is
// skipped, never thrown, and a missing domain reads as MISSING_DOMAIN.

export interface ParsedMailbox {
  kind: 'mailbox';
  name: string | null;
  /** Obsolete source route (RFC 5322 4.4), e.g. "@relay.example". */
  route: string | null;
  mailbox: string;
  host: string;
}

export interface ParsedGroup {
  kind: 'group';
  name: string;
  members: ParsedMailbox[];
}

type Token = { type: 'word'; text: string } | { type: 'special'; char: string } | { type: 'comment'; text: string };

const SPECIALS = '()<>[]:;@\\,."';
/** Header values are short; this bounds the work on a hostile one. */
const MAX_TOKENS = 10_000;

function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < value.length && tokens.length < MAX_TOKENS) {
    const char = value[i];
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      i++;
    } else if (char === '"') {
      // Quoted string: its content, quoted pairs unescaped.
      let text = '';
      for (i++; i < value.length && value[i] !== '"'; i++) text += value[i] === '\\' && i + 1 < value.length ? value[++i] : value[i];
      i++;
      tokens.push({ type: 'word', text });
    } else if (char === '(') {
      // Comments nest (RFC 5322 3.2.2).
      let depth = 0;
      let text = '';
      for (; i < value.length; i++) {
        const c = value[i];
        if (c === '\\' && i + 1 < value.length) text += value[++i];
        else if (c === '(' && depth++ === 0) continue;
        else if (c === ')' && --depth === 0) break;
        else text += c;
      }
      i++;
      tokens.push({ type: 'comment', text: text.trim() });
    } else if (char === '[') {
      // Domain literal, kept as written.
      const end = value.indexOf(']', i);
      const stop = end === -1 ? value.length : end + 1;
      tokens.push({ type: 'word', text: value.slice(i, stop) });
      i = stop;
    } else if (SPECIALS.includes(char)) {
      tokens.push({ type: 'special', char });
      i++;
    } else {
      let end = i;
      while (end < value.length && !SPECIALS.includes(value[end]) && !/\s/.test(value[end])) end++;
      tokens.push({ type: 'word', text: value.slice(i, end) });
      i = end;
    }
  }
  return tokens;
}

const isSpecial = (token: Token | undefined, char: string) => token?.type === 'special' && token.char === char;

class AddressReader {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  list(): (ParsedMailbox | ParsedGroup)[] {
    const out: (ParsedMailbox | ParsedGroup)[] = [];
    while (this.pos < this.tokens.length) {
      if (isSpecial(this.tokens[this.pos], ',') || isSpecial(this.tokens[this.pos], ';')) {
        this.pos++;
        continue;
      }
      if (this.startsGroup()) {
        out.push(this.group());
      } else {
        const mailbox = this.mailbox();
        if (mailbox) out.push(mailbox);
      }
    }
    return out;
  }

  /** A ":" before any "<", "@", "," or ";" starts a group. */
  private startsGroup(): boolean {
    for (let i = this.pos; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token.type !== 'special') continue;
      if (token.char === ':') return true;
      if ('<@,;'.includes(token.char)) return false;
    }
    return false;
  }

  private group(): ParsedGroup {
    const words: string[] = [];
    while (!isSpecial(this.tokens[this.pos], ':')) {
      const token = this.tokens[this.pos++];
      if (token.type === 'word') words.push(token.text);
      else if (token.type === 'special' && token.char === '.') words.push('.');
    }
    this.pos++; // :
    const members: ParsedMailbox[] = [];
    while (this.pos < this.tokens.length && !isSpecial(this.tokens[this.pos], ';')) {
      if (isSpecial(this.tokens[this.pos], ',')) {
        this.pos++;
        continue;
      }
      const mailbox = this.mailbox();
      if (mailbox) members.push(mailbox);
    }
    this.pos++; // ;
    return { kind: 'group', name: words.join(' '), members };
  }

  /** One mailbox up to a "," or ";" outside angle brackets; null when it holds no address (a lone comment). */
  private mailbox(): ParsedMailbox | null {
    const phrase: string[] = [];
    const comments: string[] = [];
    let angle: Token[] | null = null;
    const spec: Token[] = [];
    while (this.pos < this.tokens.length) {
      const token = this.tokens[this.pos];
      if (isSpecial(token, ',') || isSpecial(token, ';')) break;
      this.pos++;
      if (token.type === 'comment') {
        comments.push(token.text);
      } else if (isSpecial(token, '<')) {
        angle = [];
        while (this.pos < this.tokens.length && !isSpecial(this.tokens[this.pos], '>')) angle.push(this.tokens[this.pos++]);
        this.pos++;
      } else if (angle === null) {
        spec.push(token);
        if (token.type === 'word') phrase.push(token.text);
        // obs-phrase (RFC 5322 4.1): "John Q. Public" keeps its dot.
        else if (isSpecial(token, '.') && phrase.length > 0) phrase[phrase.length - 1] += '.';
      }
    }
    if (angle !== null) return this.addrSpec(angle.filter((t) => t.type !== 'comment'), phrase.length > 0 ? phrase.join(' ') : (comments.at(-1) ?? null));
    if (!spec.some((t) => t.type === 'word')) return null;
    return this.addrSpec(spec, comments.find(Boolean) ?? null);
  }

  /** [route ":"] local-part ["@" domain]. */
  private addrSpec(tokens: Token[], name: string | null): ParsedMailbox | null {
    let route: string | null = null;
    const colon = tokens.findIndex((t) => isSpecial(t, ':'));
    if (tokens.length > 0 && isSpecial(tokens[0], '@') && colon !== -1) {
      route = join(tokens.slice(0, colon));
      tokens = tokens.slice(colon + 1);
    }
    const at = tokens.map((t) => isSpecial(t, '@')).lastIndexOf(true);
    const local = join(at === -1 ? tokens : tokens.slice(0, at));
    const domain = at === -1 ? '' : join(tokens.slice(at + 1));
    if (!local && !domain) return name === null && route === null ? null : { kind: 'mailbox', name, route, mailbox: 'MISSING_MAILBOX', host: 'MISSING_DOMAIN' };
    return { kind: 'mailbox', name: name || null, route, mailbox: local || 'MISSING_MAILBOX', host: domain || 'MISSING_DOMAIN' };
  }
}

/** Tokens of a local part, domain or route, written back without spaces ("a . b" is "a.b"). */
function join(tokens: Token[]): string {
  return tokens.map((t) => (t.type === 'word' ? t.text : t.type === 'special' ? t.char : '')).join('');
}

/** The addresses and groups of an address-list header value. */
export function parseAddressList(value: string): (ParsedMailbox | ParsedGroup)[] {
  return new AddressReader(tokenize(value)).list();
}
