// A daemon's mail_delivery_stage_seconds (mail-daemon/metrics/metrics.ts) as
// the benchmarks read it from a daemon process (daemon-process.ts): each
// step's histogram, the change over a shape, and its median and mean, so that
// a slow 250 after DATA shows which step it waited in (issue 12).

/** Per step: the histogram's cumulative counts by upper bound (seconds), its count and its sum of seconds. */
export type StageHistograms = Map<string, { buckets: Map<number, number>; count: number; seconds: number }>;

interface MetricValue {
  metricName?: string;
  labels: Partial<Record<string, string | number>>;
  value: number;
}

/** From prom-client's values of the histogram. */
export function stageHistograms(values: MetricValue[]): StageHistograms {
  const stages: StageHistograms = new Map();
  for (const { metricName, labels, value } of values) {
    const stage = String(labels.stage);
    let histogram = stages.get(stage);
    if (!histogram) stages.set(stage, (histogram = { buckets: new Map(), count: 0, seconds: 0 }));
    if (metricName?.endsWith('_bucket')) histogram.buckets.set(labels.le === '+Inf' ? Infinity : Number(labels.le), value);
    else if (metricName?.endsWith('_count')) histogram.count = value;
    else if (metricName?.endsWith('_sum')) histogram.seconds = value;
  }
  return stages;
}

/** Each figure of `a` with the same of `b`, by `op`. */
function combine(a: StageHistograms, b: StageHistograms, op: (x: number, y: number) => number): StageHistograms {
  const result: StageHistograms = new Map();
  for (const [stage, ha] of a) {
    const hb = b.get(stage) ?? { buckets: new Map<number, number>(), count: 0, seconds: 0 };
    result.set(stage, {
      buckets: new Map([...ha.buckets].map(([le, n]) => [le, op(n, hb.buckets.get(le) ?? 0)])),
      count: op(ha.count, hb.count),
      seconds: op(ha.seconds, hb.seconds),
    });
  }
  return result;
}

/** What changed from `earlier` to `later`. */
export const stagesSince = (later: StageHistograms, earlier: StageHistograms) => combine(later, earlier, (x, y) => x - y);
/** Two changes as one (a shape's rounds). */
export const stagesAdded = (a: StageHistograms, b: StageHistograms) => combine(a, b, (x, y) => x + y);

/** The median, interpolated within its bucket (as Prometheus's histogram_quantile), in ms. */
function medianMs(buckets: Map<number, number>, count: number): number {
  const bounds = [...buckets].sort((x, y) => x[0] - y[0]);
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of bounds) {
    if (cumulative >= count / 2) {
      if (!Number.isFinite(le)) return lower * 1000;
      // This bucket holds more than below (which was under half), so cumulative - below > 0.
      return (lower + ((le - lower) * (count / 2 - below)) / (cumulative - below)) * 1000;
    }
    lower = le;
    below = cumulative;
  }
  return lower * 1000;
}

/** "checks 1.90/2.45, preparation ..." : each step's median and mean, ms. */
export function describeStages(stages: StageHistograms): string {
  return [...stages]
    .filter(([, h]) => h.count > 0)
    .map(([stage, h]) => `${stage} ${medianMs(h.buckets, h.count).toFixed(2)}/${((h.seconds / h.count) * 1000).toFixed(2)}`)
    .join(', ');
}
