// The preparation thread (message-preparation.ts): parses each message it is
// sent, as prepareMessage does on the main thread, and works out the junk
// filter's tokens for a first contact when asked. A message from another
// server is checked first (SPF, DKIM, DMARC, ARC, with a DNS cache of this
// thread's own), and its trace fields and the result's are added before it
// is parsed. Messages are independent; each answer goes back as soon as it
// is ready.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareMessage } from '../store/prepared-message.ts';
import { bytesOf, ownBlock } from '../store/own-block.ts';
import { messageTokens } from '../spam/message-tokens.ts';
import { authenticateMessage, dmarcRejects, tracedMessage } from '../smtp/message-authentication.ts';
import { createMailResolver, DNS_CACHE_MAX_MS } from '../dns/resolver.ts';
import type { MimeNode } from '../store/mime-structure.ts';
import type { PreparationAnswer, PreparationRequest, PreparationThreadData, PreparedFields } from './message-preparation.ts';

const port = parentPort!;
const { dnsServers } = workerData as PreparationThreadData;
const resolver = createMailResolver(dnsServers, { cacheMs: DNS_CACHE_MAX_MS });

async function answer({ id, raw, junkTokens, inbound }: PreparationRequest): Promise<PreparationAnswer> {
  try {
    const given = bytesOf(raw);
    if (!inbound) return { id, ...(await prepared(given, given, junkTokens)) };
    const auth = await authenticateMessage(given, inbound.request, resolver);
    const traced = tracedMessage(given, inbound.trace, auth);
    // Not prepared when more fields are to come (Rspamd's), nor when the message is refused.
    if (!inbound.prepare || dmarcRejects(auth)) return { id, auth, raw: ownBlock(traced) };
    return { id, auth, ...(await prepared(traced, given, junkTokens)) };
  } catch (error) {
    return { id, error: String(error) };
  }
}

/** The content's fields, and its bytes when they are not the ones `given` (trace fields added, bare LFs made CRLF). */
async function prepared(input: Buffer, given: Buffer, junkTokens: boolean): Promise<{ fields: PreparedFields; raw?: Uint8Array }> {
  const { content, summary } = await prepareMessage(input);
  const tokens = junkTokens ? messageTokens(content.raw, JSON.parse(content.structure) as MimeNode, { knownSender: false }) : undefined;
  return { fields: { hash: content.hash, size: content.size, structure: content.structure, summary, tokens }, raw: content.raw === given ? undefined : ownBlock(content.raw) };
}

port.on('message', (message: PreparationRequest | 'close') => {
  if (message === 'close') return port.close();
  void answer(message).then((reply) => port.postMessage(reply, 'raw' in reply && reply.raw ? [reply.raw.buffer as ArrayBuffer] : []));
});
port.postMessage('ready');
