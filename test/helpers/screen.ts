/**
 * A small terminal for tests: enough of VT100 to check what the bytes a program wrote leave on
 * screen (cursor up, column, carriage return, erase in line and below, colours and modes
 * ignored). Anything else is an error, so a test notices a sequence it did not expect.
 */
const SEQUENCE = /^\x1b\[(\??)([0-9;]*)([A-Za-z])/;

export class Screen {
  lines: string[] = [''];
  row = 0;
  col = 0;
  /** Full-screen clears (`ESC[2J`): the flicker makers. */
  clears = 0;
  /** The widest line ever written (characters, without escape sequences). */
  widest = 0;
  cursorHidden = false;

  /** `columns`: where a real terminal would wrap (undefined: never). */
  constructor(readonly columns?: number) {}

  write(text: string): void {
    for (let i = 0; i < text.length; ) {
      const m = text.charCodeAt(i) === 0x1b ? SEQUENCE.exec(text.slice(i)) : null;
      if (m) {
        this.control(m[1]!, m[2]!, m[3]!);
        i += m[0].length;
        continue;
      }
      const ch = String.fromCodePoint(text.codePointAt(i)!);
      i += ch.length;
      if (ch === '\n') {
        this.row++;
        this.col = 0;
        while (this.lines.length <= this.row) this.lines.push('');
      } else if (ch === '\r') this.col = 0;
      else this.put(ch);
    }
  }

  private put(ch: string): void {
    if (this.columns !== undefined && this.col >= this.columns) {
      // A real terminal wraps: the line count the program assumed would be wrong.
      this.row++;
      this.col = 0;
      while (this.lines.length <= this.row) this.lines.push('');
    }
    const chars = [...(this.lines[this.row] ?? '')];
    while (chars.length < this.col) chars.push(' ');
    chars[this.col] = ch;
    this.lines[this.row] = chars.join('');
    this.col++;
    this.widest = Math.max(this.widest, chars.length);
  }

  private control(private_: string, params: string, final: string): void {
    const n = params ? Number(params.split(';')[0]) : 1;
    const cut = (): void => {
      this.lines[this.row] = [...(this.lines[this.row] ?? '')].slice(0, this.col).join('');
    };
    if (private_ === '?') {
      if (params === '25') this.cursorHidden = final === 'l';
      return; // other modes (synchronized output) change nothing on screen
    }
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - n);
        return;
      case 'G':
        this.col = Math.max(0, n - 1);
        return;
      case 'K':
        cut();
        return;
      case 'J':
        if (params === '2') {
          this.clears++;
          this.lines = [''];
          this.row = 0;
          this.col = 0;
          return;
        }
        cut();
        this.lines.length = this.row + 1;
        return;
      case 'm':
        return;
      default:
        throw new Error(`unexpected sequence ESC[${private_}${params}${final}`);
    }
  }

  /** The screen's lines above the cursor. */
  shown(): string[] {
    return this.lines.slice(0, this.row);
  }
}
