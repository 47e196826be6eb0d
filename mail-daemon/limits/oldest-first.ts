// Maps that remote input fills (a client's made-up sender domains, signups
// from ever new addresses) stay bounded: once full, after dropping what has
// expired, the oldest entries go down to nine tenths of the bound, so the
// sweep runs once per a tenth as many new keys, not on every one.

/** Drops the longest-kept entries of `map` (insertion order) until it holds at most nine tenths of `max`. */
export function dropOldest<K, V>(map: Map<K, V>, max: number): void {
  const over = map.size - Math.floor(max * 0.9);
  if (over > 0) for (const key of [...map.keys()].slice(0, over)) map.delete(key);
}
