// The preparation thread (message-preparation.ts): parses each message it is
// sent, as prepareMessage does on the main thread, and works out the junk
// filter's tokens for a first contact when asked. Messages are independent;
// each answer goes back as soon as it is ready.
import { parentPort } from 'node:worker_threads';
import { prepareMessage } from '../store/prepared-message.ts';
import { bytesOf, ownBlock } from '../store/own-block.ts';
import { messageTokens } from '../spam/message-tokens.ts';
import type { MimeNode } from '../store/mime-structure.ts';
import type { PreparationAnswer, PreparationRequest } from './message-preparation.ts';

const port = parentPort!;

async function answer({ id, raw, junkTokens }: PreparationRequest): Promise<PreparationAnswer> {
  try {
    const given = bytesOf(raw);
    const { content, summary } = await prepareMessage(given);
    const tokens = junkTokens ? messageTokens(content.raw, JSON.parse(content.structure) as MimeNode, { knownSender: false }) : undefined;
    // The bytes go back only when they changed (bare LFs made CRLF).
    return { id, hash: content.hash, size: content.size, structure: content.structure, summary, tokens, raw: content.raw === given ? undefined : ownBlock(content.raw) };
  } catch (error) {
    return { id, error: String(error) };
  }
}

port.on('message', (message: PreparationRequest | 'close') => {
  if (message === 'close') return port.close();
  void answer(message).then((reply) => port.postMessage(reply, 'raw' in reply && reply.raw ? [reply.raw.buffer as ArrayBuffer] : []));
});
port.postMessage('ready');
