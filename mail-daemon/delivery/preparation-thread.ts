// The preparation thread (message-preparation.ts): parses each message it is
// sent, as prepareMessage does on the main thread, and works out the junk
// filter's tokens for a first contact when asked. A message from another
// server is checked first (SPF, DKIM, DMARC, ARC, with a DNS cache of this
// thread's own), and its trace fields and the result's are added before it
// is parsed. Messages are independent; each answer goes back as soon as it
// is ready.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareMessage } from '../store/prepared-message.ts';
import { ownBlock } from '../store/own-block.ts';
import { messageTokens } from '../spam/message-tokens.ts';
import { authenticateMessage, type MessageAuthentication } from '../smtp/message-authentication.ts';
import { prependHeaders } from '../smtp/message-headers.ts';
import { createMailResolver, DNS_CACHE_MAX_MS } from '../dns/resolver.ts';
import type { MimeNode } from '../store/mime-structure.ts';
import type { PreparationAnswer, PreparationRequest, PreparationThreadData } from './message-preparation.ts';

const port = parentPort!;
const { dnsServers } = workerData as PreparationThreadData;
const resolver = createMailResolver(dnsServers, { cacheMs: DNS_CACHE_MAX_MS });

async function answer({ id, raw, junkTokens, inbound }: PreparationRequest): Promise<PreparationAnswer> {
  try {
    const given = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let auth: MessageAuthentication | undefined;
    let input = given;
    if (inbound) {
      auth = await authenticateMessage(given, inbound.request, resolver);
      input = prependHeaders(given, [...inbound.trace, auth.headers.replace(/\r\n$/, '')]);
    }
    const { content, summary } = await prepareMessage(input);
    const tokens = junkTokens ? messageTokens(content.raw, JSON.parse(content.structure) as MimeNode, { knownSender: false }) : undefined;
    // The bytes go back only when they changed (trace fields added, bare LFs made CRLF).
    return { id, hash: content.hash, size: content.size, structure: content.structure, summary, tokens, auth, raw: content.raw === given ? undefined : ownBlock(content.raw) };
  } catch (error) {
    return { id, error: String(error) };
  }
}

port.on('message', (message: PreparationRequest | 'close') => {
  if (message === 'close') return port.close();
  void answer(message).then((reply) => port.postMessage(reply, 'raw' in reply && reply.raw ? [reply.raw.buffer as ArrayBuffer] : []));
});
port.postMessage('ready');
