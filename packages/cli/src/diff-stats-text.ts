/** `layerkit diff --stats`: the diff's counters and phase times as a block of lines, or as JSON. */
import type { DiffStats } from '@layerkit/diff';

const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** The human-readable block (one string a line), for stderr. */
export function diffStatsLines(stats: DiffStats): string[] {
  const lines = [
    'diff stats:',
    `  entries walked     lower ${stats.lowerEntries}, upper ${stats.upperEntries}`,
    `  on both sides      ${stats.bothSides}: ${stats.statMatched} by recorded stat, ${stats.metadataCompared} by metadata, of which ${stats.contentCompared} by content`,
    `  content read       ${stats.filesRead} files, ${stats.bytesRead} bytes`,
  ];
  const times = stats.times;
  if (times !== undefined) {
    lines.push(
      `  time               walk ${ms(times.walkMs)}, compare ${ms(times.compareMs)}, hash ${ms(times.hashMs)}`,
    );
  }
  return lines;
}

/** The machine-readable form: `{"stats": {…}}` on one line, times rounded to microseconds. */
export function diffStatsJson(stats: DiffStats): string {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  const times = stats.times;
  const shown =
    times === undefined
      ? stats
      : {
          ...stats,
          times: {
            walkMs: round(times.walkMs),
            compareMs: round(times.compareMs),
            hashMs: round(times.hashMs),
          },
        };
  return JSON.stringify({ stats: shown });
}
