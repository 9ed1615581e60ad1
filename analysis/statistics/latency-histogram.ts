// Latency from Prometheus histogram buckets, turned into counts the ratio
// test can take: a request is "slow" when it took longer than a bucket bound
// near the stable track's quantile (its p99 by default). A canary whose p99
// doubles sends many more of its requests past that bound than the stable
// does, so a latency regression becomes a rate regression of slow requests:
// a sequential quantile test in the spirit of Howard and Ramdas, "Sequential
// estimation of quantiles with applications to A/B-testing and best-arm
// identification" (Bernoulli, 2022), kept to the bounds a histogram knows.

/** One cumulative bucket: requests that took at most `le` seconds (`le` is Infinity for `+Inf`). */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/** Bucket counts summed bucket by bucket (windows into a total); bounds missing from some are kept. */
export function addBuckets(histograms: readonly (readonly Bucket[])[]): Bucket[] {
  const sums = new Map<number, number>();
  for (const histogram of histograms) {
    for (const bucket of histogram) sums.set(bucket.le, (sums.get(bucket.le) ?? 0) + bucket.count);
  }
  return [...sums.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** All requests the histogram counted (its `+Inf` bucket), 0 without one. */
export function histogramTotal(buckets: readonly Bucket[]): number {
  return buckets.find((b) => b.le === Infinity)?.count ?? 0;
}

/** Requests slower than `bound` seconds. */
export function slowerThan(buckets: readonly Bucket[], bound: number): number {
  const atMost = buckets.find((b) => b.le === bound)?.count ?? 0;
  return Math.max(0, histogramTotal(buckets) - atMost);
}

/**
 * The bucket bound the slow count uses: the smallest bound that at most
 * (1 - quantile) of the stable's requests exceed, i.e. the bound at or just
 * above its p99. A canary whose tail grows sends many times more requests
 * past it; a bound further down (inside the stable's body) would see the
 * same change diluted. The largest finite bound when the quantile is past
 * all of them; undefined without stable data.
 */
export function slowBound(stable: readonly Bucket[], quantile: number): number | undefined {
  const total = histogramTotal(stable);
  if (!(total > 0)) return undefined;
  const finite = stable.filter((b) => Number.isFinite(b.le)).sort((a, b) => a.le - b.le);
  // A hair of tolerance: 1 - 0.9 is 0.09999999999999998 in floating point.
  const atOrAbove = finite.find((b) => (total - b.count) / total <= 1 - quantile + 1e-12);
  return (atOrAbove ?? finite[finite.length - 1])?.le;
}

/**
 * The `quantile` of the histogram by linear interpolation inside its bucket,
 * as Prometheus' histogram_quantile() does; undefined without data, and the
 * largest finite bound when the quantile falls in `+Inf`.
 */
export function histogramQuantile(buckets: readonly Bucket[], quantile: number): number | undefined {
  const total = histogramTotal(buckets);
  if (!(total > 0)) return undefined;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const rank = quantile * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      return inBucket > 0 ? lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / inBucket : bucket.le;
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}
