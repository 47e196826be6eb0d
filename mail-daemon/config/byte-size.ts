// Sizes as people write them: "500M", "5G", "1.5 GB", "512KiB". Units are
// binary (1M = 1024 KiB), as quotas are shown; "B" is bytes, and a bare
// number is megabytes, as in the web's quota field.
const UNITS: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** A size as mailctl and the quota notices show it: "512.0 MB". */
export function formatMegabytes(bytes: bigint | number): string {
  return `${(Number(bytes) / 1024 / 1024).toFixed(1)} MB`;
}

/** The size in bytes, or null when the text is not a positive size. */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:I?B)?|(B))?\s*$/i.exec(text);
  if (!match) return null;
  const unit = match[2] ? UNITS[match[2].toUpperCase()] : match[3] ? 1 : UNITS.M;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}
