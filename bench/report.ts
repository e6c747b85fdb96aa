/** What every benchmark prints: one JSON line, so figures can be collected and compared. */
export function reportFigures(name: string, figures: Record<string, number | string | boolean>): void {
  const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  console.log(JSON.stringify({ benchmark: name, ...figures, peak_rss_mb: peakRssMb, node: process.version }));
}

/** Milliseconds taken by `work`, measured with the monotonic clock. */
export async function timeMs(work: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
