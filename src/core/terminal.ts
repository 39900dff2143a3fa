/**
 * What a terminal can do. A TTY may report a size of 0 columns or rows (a pseudo-terminal
 * nobody sized, as `script` makes without a window): drawing in place on it cannot work, so
 * anything that redraws (a spinner, a live view) falls back to plain lines there.
 */

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The size of a terminal that can be redrawn in place, or undefined (not a TTY, or no usable size). */
export function redrawableSize(stream: { isTTY?: boolean; columns?: number; rows?: number }): TerminalSize | undefined {
  if (!stream.isTTY) return undefined;
  const { columns, rows } = stream;
  if (typeof columns !== 'number' || typeof rows !== 'number' || !Number.isFinite(columns) || !Number.isFinite(rows)) return undefined;
  // Fewer than two columns or rows leave no room for a line and the cursor.
  return columns >= 2 && rows >= 2 ? { columns, rows } : undefined;
}
