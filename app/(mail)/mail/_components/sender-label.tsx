// How the message list and the reading view name a sender. A display name
// can say anything, an address included: `"alice@sec.test" <bob@evil.example>`
// listed as "alice@sec.test" passed for mail from alice. So a name holding an
// @ (or a look-alike of one) is never shown alone: the real address follows.
import type { ReactNode } from 'react';

// @, FULLWIDTH COMMERCIAL AT, SMALL COMMERCIAL AT.
const AT_SIGNS = /[@\uff20\ufe6b]/;

export interface SenderLabel {
  name: string;
  /** The real address, to show next to the name; null when the name alone cannot mislead. */
  address: string | null;
}

export function senderLabel(name: string, address: string): SenderLabel {
  const shown = name.trim();
  if (!shown) return { name: address, address: null };
  if (!AT_SIGNS.test(shown)) return { name: shown, address: null };
  // `"bob@example.com" <bob@example.com>`: the name is the address itself.
  if (shown.replace(/^[\s"'<]+|[\s"'>]+$/g, '').toLowerCase() === address.toLowerCase()) return { name: address, address: null };
  return { name: shown, address };
}

/**
 * The sender in a row that may truncate: the name shrinks, the real address
 * (when shown) does not, so a long name cannot push it out of sight.
 */
export function Sender({ name, address, render = (text) => text }: { name: string; address: string; render?: (text: string) => ReactNode }) {
  const label = senderLabel(name, address);
  return (
    <>
      <span className="min-w-0 truncate">{render(label.name)}</span>
      {label.address ? (
        <span className="shrink-0 text-muted" data-testid="sender-address" title="The address this message really came from">
          &lt;{label.address}&gt;
        </span>
      ) : null}
    </>
  );
}
