/** Latency figures from raw samples, and from a Prometheus histogram scraped off /metrics. */

export interface LatencySummary {
  /** How many samples (messages or jobs). */
  count: number;
  /** From the first send to the last reply, in ms. */
  durationMs: number;
  /** Replies per second over durationMs. */
  throughput: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array; q in (0, 1]. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarise(latenciesMs: readonly number[], durationMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    durationMs,
    throughput: durationMs > 0 ? sorted.length / (durationMs / 1000) : Number.NaN,
    meanMs: sorted.length > 0 ? total / sorted.length : Number.NaN,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}

/** One labelled series of a Prometheus histogram: cumulative bucket counts by upper bound (seconds). */
export interface Histogram {
  buckets: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

/**
 * Reads one series of a histogram from the Prometheus text format, e.g.
 * name_bucket{le="0.05",channel="webchat"} 12. Undefined when the series is absent.
 */
export function parseHistogram(text: string, name: string, labels: Record<string, string>): Histogram | undefined {
  const histogram: Histogram = { buckets: [], sum: 0, count: 0 };
  let seen = false;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, metric, labelText = '', valueText = ''] = match;
    const found = parseLabels(labelText);
    if (!Object.entries(labels).every(([key, value]) => found[key] === value)) continue;
    const value = Number(valueText);
    if (metric === `${name}_bucket` && found.le !== undefined) {
      histogram.buckets.push({ le: found.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(found.le), count: value });
      seen = true;
    } else if (metric === `${name}_sum`) histogram.sum = value;
    else if (metric === `${name}_count`) histogram.count = value;
  }
  histogram.buckets.sort((a, b) => a.le - b.le);
  return seen ? histogram : undefined;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[match[1] ?? ''] = match[2] ?? '';
  }
  return labels;
}

/** What was observed between two scrapes of the same series (before may be absent: nothing yet). */
export function histogramDelta(after: Histogram, before: Histogram | undefined): Histogram {
  const earlier = (le: number) => before?.buckets.find((bucket) => bucket.le === le)?.count ?? 0;
  return {
    buckets: after.buckets.map((bucket) => ({ le: bucket.le, count: bucket.count - earlier(bucket.le) })),
    sum: after.sum - (before?.sum ?? 0),
    count: after.count - (before?.count ?? 0),
  };
}

/** A quantile estimate (seconds) and the bucket it lies in, which bounds the truth. */
export interface QuantileEstimate {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Estimates a quantile the way Prometheus' histogram_quantile does: find the
 * bucket holding the q-th observation and interpolate linearly inside it.
 * Beyond the last finite bucket the estimate is that bucket's bound (a lower
 * bound of the truth).
 */
export function histogramQuantile(histogram: Histogram, q: number): QuantileEstimate {
  const none = { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  if (histogram.count <= 0) return none;
  const target = q * histogram.count;
  let lower = 0;
  let lowerCount = 0;
  for (const { le, count } of histogram.buckets) {
    if (count >= target) {
      if (le === Number.POSITIVE_INFINITY) return { estimate: lower, lower, upper: le };
      const inBucket = count - lowerCount;
      const estimate = inBucket > 0 ? lower + ((le - lower) * (target - lowerCount)) / inBucket : le;
      return { estimate, lower, upper: le };
    }
    lower = le;
    lowerCount = count;
  }
  return none;
}
