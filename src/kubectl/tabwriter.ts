/**
 * goTabwriter reproduces Go's text/tabwriter (left-aligned, space padding, no flags): text is
 * split into tab-terminated cells; consecutive lines sharing a column form a block whose cells
 * are padded to the widest cell plus `padding` (at least `minwidth`). Cells after a line's last
 * tab are never padded. kubectl describe uses (0, 2); kubectl get (6, 3).
 */
export function goTabwriter(text: string, minwidth: number, padding: number): string {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const width = (s: string): number => [...s].length;
  const widths: number[] = [];
  let out = '';
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      cells.forEach((c, j) => {
        out += c;
        if (j < cells.length - 1 && j < widths.length) out += ' '.repeat(Math.max(0, widths[j]! - width(c)));
      });
      if (i < lines.length - 1 || endsWithNewline) out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let w = minwidth;
      for (; t < line1; t++) {
        const cells = lines[t]!;
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]!) + padding);
      }
      widths.push(w);
      format(line0, t);
      widths.pop();
      line0 = t;
      t--;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out;
}
