// The benchmark's messages: made-up words so the text index has something to
// index, about 1 to 8 kB each; one in a hundred has RARE_WORD, every one "lorem".
import { buildMessage } from '../../support/messages.ts';

export const RARE_WORD = 'zyzzyva';

function makeWords(count: number): string[] {
  const syllables = ['ka', 'lo', 'rem', 'ip', 'sum', 'do', 'lor', 'sit', 'am', 'et', 'con', 'sec', 'tur', 'ad', 'pis', 'ci', 'ng', 'el', 'it', 'sed'];
  return Array.from({ length: count }, (_, i) => {
    let word = '';
    for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
    return word;
  });
}

export function makeMessages(count: number): Buffer[] {
  const words = makeWords(5000);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    const length = 150 + Math.floor(random() * 1000);
    const body: string[] = ['Lorem ipsum.'];
    for (let w = 0; w < length; w++) body.push(words[Math.floor(random() ** 2 * words.length)] + (w % 12 === 11 ? '\n' : ''));
    if (i % 100 === 7) body.push(RARE_WORD);
    return buildMessage({ subject: `Bench message ${i} ${words[i % words.length]}`, from: `Sender ${i % 50} <sender${i % 50}@remote.test>`, body: `${body.join(' ')}\n` });
  });
}
