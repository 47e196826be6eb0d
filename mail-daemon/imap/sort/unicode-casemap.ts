// The i;unicode-casemap comparator (RFC 5051) that SORT and THREAD collate
// with (RFC 5256 sections 1 and 2.1, I18NLEVEL=1 of RFC 5255): each character
// is replaced by its titlecase (here its upper case where that is one
// character, as the simple titlecase mapping is), the result is decomposed
// (NFKD), and strings compare by code point. For ASCII text this is
// i;ascii-casemap. Pure.

const ASCII = /^[\x00-\x7f]*$/;

/** The string that stands for `text` under i;unicode-casemap: equal keys are equal strings. */
export function casemapKey(text: string): string {
  // ASCII (most subjects and addresses) has nothing to decompose, and upper case is its title case.
  if (ASCII.test(text)) return text.toUpperCase();
  let out = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    // "ß".toUpperCase() is "SS": a full mapping, not the simple one RFC 5051 uses.
    out += upper.length === char.length ? upper : char;
  }
  return out.normalize('NFKD');
}

/**
 * Orders strings by code point, as comparing their UTF-8 bytes does. JavaScript's
 * < compares UTF-16 units, which puts U+10000 and above before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
