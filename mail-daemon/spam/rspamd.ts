// Rspamd's HTTP protocol (https://rspamd.com/doc/architecture/protocol.html):
// the message is POSTed to <RSPAMD_URL>/checkv2 with the envelope in request
// headers (IP, Helo, From, Rcpt, Queue-Id, Hostname), and the JSON reply names
// an action. What each action means here, as mailcow's Postfix does with
// Rspamd's milter:
// - "reject": 550 5.7.1, with Rspamd's SMTP message when it gives one;
// - "soft reject" and "greylist": 451 4.7.1, the sender retries;
// - "add header" and "rewrite subject": accepted, every copy goes to Junk;
// - "no action": accepted as it is.
// Every checked message carries X-Rspamd-Result with the action, the score and
// the symbols that fired. When Rspamd cannot be reached the message is
// accepted unchecked (Rspamd's own advice for Postfix, milter_default_action
// = accept), so its outage delays no mail.

export type RspamdAction = 'reject' | 'soft reject' | 'greylist' | 'add header' | 'rewrite subject' | 'no action';

export interface RspamdEnvelope {
  ip: string;
  helo: string;
  mailFrom: string;
  rcptTo: string[];
  queueId: string;
  hostname: string;
}

export interface RspamdVerdict {
  action: RspamdAction;
  score: number;
  requiredScore: number;
  /** Names of the symbols that fired, highest score first. */
  symbols: string[];
  /** Rspamd's text for the SMTP reply, if it gave one. */
  smtpMessage: string | null;
  /** "X-Rspamd-Result: ..." */
  header: string;
}

const TIMEOUT_MS = 20_000;
const ACTIONS: RspamdAction[] = ['reject', 'soft reject', 'greylist', 'add header', 'rewrite subject', 'no action'];

interface CheckReply {
  action?: string;
  score?: number;
  required_score?: number;
  symbols?: Record<string, { name?: string; score?: number }>;
  messages?: { smtp_message?: string };
}

export async function rspamdCheck(url: string, message: Buffer, envelope: RspamdEnvelope): Promise<RspamdVerdict> {
  const headers = new Headers({ IP: envelope.ip, Helo: envelope.helo || 'unknown', From: envelope.mailFrom || '<>', 'Queue-Id': envelope.queueId, Hostname: envelope.hostname });
  // One Rcpt header per recipient, as the protocol has it.
  for (const rcpt of envelope.rcptTo) headers.append('Rcpt', rcpt);
  const response = await fetch(`${url}/checkv2`, { method: 'POST', headers, body: new Uint8Array(message.buffer as ArrayBuffer, message.byteOffset, message.length), signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`Rspamd answered HTTP ${response.status}`);
  const reply = (await response.json()) as CheckReply;
  const action = ACTIONS.find((a) => a === reply.action);
  if (!action) throw new Error(`Rspamd answered an unknown action ${JSON.stringify(reply.action)}`);
  const score = Number(reply.score ?? 0);
  const requiredScore = Number(reply.required_score ?? 0);
  const symbols = Object.entries(reply.symbols ?? {})
    .sort(([, a], [, b]) => Number(b.score ?? 0) - Number(a.score ?? 0))
    .map(([name]) => name);
  const shown = symbols.filter((s) => /^[A-Z0-9_]{1,64}$/.test(s)).slice(0, 20);
  const smtpMessage = reply.messages?.smtp_message ? reply.messages.smtp_message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) : null;
  return { action, score, requiredScore, symbols, smtpMessage, header: `X-Rspamd-Result: ${action}; score=${score.toFixed(2)}/${requiredScore.toFixed(2)}; ${shown.join(' ')}` };
}
