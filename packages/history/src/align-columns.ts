import { displayWidth } from './display-width.js';

/** Layout parameters of Go's `tabwriter.NewWriter(out, minWidth, tabwidth, padding, ' ', 0)`. */
export interface AlignColumnsOptions {
  /** Minimal column width including padding (docker/cli: 10). */
  minWidth?: number | undefined;
  /** Spaces added to the widest cell of a column (docker/cli: 3). */
  padding?: number | undefined;
}

/**
 * Lays out lines of cells exactly like docker/cli's fork of Go's `text/tabwriter` with space
 * padding and no flags. Each line is its cells in order; every cell but the last is
 * "tab-terminated" and belongs to a column, the last cell is trailing text that is never padded.
 * Columns are blocks of consecutive lines that have that cell (elastic tabstops); a line with at
 * most one cell ends the block, as a tabwriter flush does. Cell width is the terminal width
 * ({@link displayWidth}). Cells must not contain tabs or newlines. Every line ends in `\n`.
 */
export function alignColumns(
  lines: readonly (readonly string[])[],
  options: AlignColumnsOptions = {},
): string {
  const { minWidth = 10, padding = 3 } = options;
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      cells.forEach((cell, column) => {
        out.push(cell);
        if (column < widths.length) out.push(' '.repeat(widths[column]! - displayWidth(cell)));
      });
      out.push('\n');
    }
  };

  // Go's tabwriter.format: find each block of lines sharing the next column, size it, recurse.
  const format = (from: number, to: number) => {
    const column = widths.length;
    let start = from;
    for (let current = from; current < to; current++) {
      if (column >= lines[current]!.length - 1) continue;
      writeLines(start, current);
      start = current;
      let width = minWidth;
      for (; current < to; current++) {
        const cells = lines[current]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, displayWidth(cells[column]!) + padding);
      }
      widths.push(width);
      format(start, current);
      widths.pop();
      start = current;
    }
    writeLines(start, to);
  };

  let blockStart = 0;
  lines.forEach((cells, index) => {
    if (cells.length <= 1) {
      format(blockStart, index + 1);
      blockStart = index + 1;
    }
  });
  format(blockStart, lines.length);
  return out.join('');
}
