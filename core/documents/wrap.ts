/**
 * Wrapping the certificate's `cast`/`curl` commands so that they stay runnable when copied: lines end only at the
 * spaces between tokens, never at the hyphens, slashes or parentheses inside one (where a general line breaker,
 * pdfkit's or a browser's, would break `--rpc-url` into `--rpc-` and `url`). A token wider than a whole line is the
 * one exception: it is cut where the line is full, as a last resort.
 */

/** The pieces of a command between which a line may end: what lies between single spaces. */
export function commandTokens(command: string): string[] {
  return command.split(" ").filter((t) => t !== "");
}

/**
 * Fills lines greedily with `text`'s tokens: `widths.first` for the first line, `widths.rest` for the others (a
 * hanging indent), `measure` giving a string's width in the same unit. Joining the lines with spaces gives back the
 * text with its whitespace normalised, except where an overlong token was cut (joined there without a space).
 */
export function wrapTokens(
  text: string,
  widths: { first: number; rest: number },
  measure: (s: string) => number,
): string[] {
  const lines: string[] = [];
  let line = "";
  const width = () => (lines.length === 0 ? widths.first : widths.rest);
  const startWith = (token: string) => {
    let rest = token;
    // Last resort: a token wider than a whole line is cut where the line is full (at least one character a line).
    while (measure(rest) > width()) {
      const chars = [...rest];
      let n = 1;
      while (n < chars.length && measure(chars.slice(0, n + 1).join("")) <= width()) n++;
      lines.push(chars.slice(0, n).join(""));
      rest = chars.slice(n).join("");
    }
    line = rest;
  };
  for (const token of commandTokens(text)) {
    if (line === "") startWith(token);
    else if (measure(`${line} ${token}`) <= width()) line = `${line} ${token}`;
    else {
      lines.push(line);
      startWith(token);
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}
