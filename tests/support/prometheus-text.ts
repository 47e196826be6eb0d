// A strict reader of Prometheus's text exposition format 0.0.4 (the format
// `/metrics` answers), for tests: it throws on any line that promtool would
// not take (bad names, escapes or values, a sample before its TYPE or of
// another family, a series twice, a histogram whose buckets do not rise to
// +Inf = _count) and returns every series by its name and sorted labels,
// e.g. `mail_connections_total{service="imap"}`.
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
// Prometheus reads values with Go's ParseFloat, which takes Inf and NaN in any
// case: prom-client writes "Nan" for a gauge with no samples yet.
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?inf|nan)$/i;

export interface Exposition {
  /** Every sample by `name{label="value",...}` (labels sorted; no braces without labels). */
  samples: Map<string, number>;
  types: Map<string, string>;
  help: Map<string, string>;
}

function parseValue(raw: string, line: string): number {
  if (!VALUE.test(raw)) throw new Error(`bad sample value "${raw}" in: ${line}`);
  const lower = raw.toLowerCase();
  if (lower === 'nan') return NaN;
  return lower === '+inf' || lower === 'inf' ? Infinity : lower === '-inf' ? -Infinity : Number(raw);
}

/** Reads `{a="x",b="y"}` from the start of `text`; returns the labels and what follows. */
function parseLabels(text: string, line: string): { labels: [string, string][]; rest: string } {
  const labels: [string, string][] = [];
  let i = 1;
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || text[eq + 1] !== '"') throw new Error(`bad label at "${text.slice(i)}" in: ${line}`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const escaped = text[++j];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new Error(`bad escape \\${escaped} in: ${line}`);
      } else if (text[j] === '\n') {
        throw new Error(`newline in a label value: ${line}`);
      } else {
        value += text[j];
      }
    }
    if (j >= text.length) throw new Error(`unterminated label value in: ${line}`);
    if (labels.some(([n]) => n === name)) throw new Error(`label ${name} twice in: ${line}`);
    labels.push([name, value]);
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`expected , or } after a label in: ${line}`);
  }
}

export function seriesKey(name: string, labels: [string, string][]): string {
  if (labels.length === 0) return name;
  const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}{${sorted.map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',')}}`;
}

/** The family a sample belongs to: a histogram's _bucket, _sum and _count belong to it. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const match = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (match && (types.get(match[1]) === 'histogram' || (match[2] !== 'bucket' && types.get(match[1]) === 'summary'))) return match[1];
  return undefined;
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const seenFamilies: string[] = [];
  const buckets = new Map<string, { le: number; count: number }[]>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) continue; // a plain comment
      const [, kind, name, rest] = match;
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type in: ${line}`);
        if (types.has(name)) throw new Error(`TYPE of ${name} twice`);
        if (seenFamilies.includes(name)) throw new Error(`TYPE of ${name} after its samples`);
        types.set(name, rest);
      } else {
        if (help.has(name)) throw new Error(`HELP of ${name} twice`);
        if (/\\[^n\\]/.test(rest)) throw new Error(`bad escape in: ${line}`);
        help.set(name, rest);
      }
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name) throw new Error(`bad sample line: ${line}`);
    let rest = line.slice(name.length);
    let labels: [string, string][] = [];
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const fields = rest.split(' ');
    if (fields[0] !== '' || fields.length < 2 || fields.length > 3) throw new Error(`expected " value [timestamp]" in: ${line}`);
    const value = parseValue(fields[1], line);
    if (fields[2] !== undefined && !/^-?\d+$/.test(fields[2])) throw new Error(`bad timestamp in: ${line}`);
    const family = familyOf(name, types);
    if (!family) throw new Error(`sample of ${name} without a TYPE before it`);
    // The samples of one family are together (a family does not come back later).
    if (seenFamilies.at(-1) !== family) {
      if (seenFamilies.includes(family)) throw new Error(`samples of ${family} are not together`);
      seenFamilies.push(family);
    }
    const type = types.get(family)!;
    if (type === 'counter' && (value < 0 || Number.isNaN(value))) throw new Error(`counter below 0 in: ${line}`);
    if (type === 'histogram') {
      if (name.endsWith('_bucket')) {
        const le = labels.find(([n]) => n === 'le');
        if (!le) throw new Error(`bucket without le in: ${line}`);
        const series = seriesKey(family, labels.filter(([n]) => n !== 'le'));
        buckets.set(series, [...(buckets.get(series) ?? []), { le: parseValue(le[1], line), count: value }]);
      } else if (labels.some(([n]) => n === 'le')) {
        throw new Error(`le outside a bucket in: ${line}`);
      }
    }
    const key = seriesKey(name, labels);
    if (samples.has(key)) throw new Error(`series ${key} twice`);
    samples.set(key, value);
  }
  for (const [series, list] of buckets) {
    for (let i = 1; i < list.length; i++) {
      if (!(list[i].le > list[i - 1].le)) throw new Error(`buckets of ${series} are not in rising order of le`);
      if (list[i].count < list[i - 1].count) throw new Error(`bucket counts of ${series} fall`);
    }
    if (list.at(-1)!.le !== Infinity) throw new Error(`${series} has no le="+Inf" bucket`);
    const countKey = series.replace(/^([^{]+)/, '$1_count');
    if (samples.get(countKey) !== list.at(-1)!.count) throw new Error(`${countKey} is not the +Inf bucket`);
  }
  return { samples, types, help };
}
