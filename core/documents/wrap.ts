/**
 * Wrapping the certificate's `cast`/`curl` commands so that they stay runnable when copied: lines end only at the
 * spaces between tokens, never at the hyphens, slashes or parentheses inside one (where a general line breaker,
 * pdfkit's or a browser's, would break `--rpc-url` into `--rpc-` and `url`). A token wider than a whole line is never
 * cut either: it goes on a line of its own, printed smaller until it fits.
 */

/** The pieces of a command between which a line may end: what lies between single spaces. */
export function commandTokens(command: string): string[] {
  return command.split(" ").filter((t) => t !== "");
}

/** One line of a wrapped command: its text, and the factor (≤ 1) by which its font is scaled to fit the line. */
export interface WrappedLine {
  text: string;
  scale: number;
}

/**
 * Fills lines greedily with `text`'s tokens: `widths.first` for the first line, `widths.rest` for the others (a
 * hanging indent), `measure` giving a string's width at the full size in the same unit. Joining the lines' texts
 * with spaces gives back the text with its whitespace normalised: no token is ever split. A token wider than its
 * line stands alone on it, with `scale` = line width / token width (else `scale` is 1).
 */
export function wrapTokens(
  text: string,
  widths: { first: number; rest: number },
  measure: (s: string) => number,
): WrappedLine[] {
  const lines: WrappedLine[] = [];
  let line = "";
  const width = () => (lines.length === 0 ? widths.first : widths.rest);
  const flush = () => {
    if (line !== "") lines.push({ text: line, scale: 1 });
    line = "";
  };
  for (const token of commandTokens(text)) {
    if (line !== "" && measure(`${line} ${token}`) <= width()) {
      line = `${line} ${token}`;
      continue;
    }
    flush();
    const tokenWidth = measure(token);
    if (tokenWidth > width()) lines.push({ text: token, scale: width() / tokenWidth });
    else line = token;
  }
  flush();
  if (lines.length === 0) lines.push({ text: "", scale: 1 });
  return lines;
}
