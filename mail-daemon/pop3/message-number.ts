// A message number or line count as RFC 1939 writes them: decimal digits
// only, bounded so a hostile number never becomes a float.
export function messageNumber(arg: string): number | null {
  return /^\d{1,9}$/.test(arg) ? Number(arg) : null;
}
