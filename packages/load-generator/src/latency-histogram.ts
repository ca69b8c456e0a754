import * as hdr from 'hdr-histogram-js';

/** Latency percentiles in milliseconds, recorded with microsecond resolution. */
export type LatencySummary = {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
};

/**
 * An HdrHistogram of microseconds: three significant digits (a 300 ms value is kept to 0.3 ms,
 * a 1 ms value to 1 µs) and a size that grows with the largest value seen.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

  get count(): number {
    return this.histogram.totalCount;
  }

  recordMs(milliseconds: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(milliseconds * 1000)));
  }

  /** All zeros when nothing was recorded; the counts beside it say so. */
  summary(): LatencySummary {
    const atPercentile = (percentile: number) =>
      this.histogram.getValueAtPercentile(percentile) / 1000;
    return {
      p50: atPercentile(50),
      p90: atPercentile(90),
      p99: atPercentile(99),
      p999: atPercentile(99.9),
      max: this.histogram.maxValue / 1000,
      mean: this.count === 0 ? 0 : this.histogram.mean / 1000,
    };
  }
}
