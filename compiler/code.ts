/** A small writer for generated code: lines and indented blocks, joined at the end. */
export class Code {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text: string): this {
    this.lines.push(text === "" ? "" : "  ".repeat(this.depth) + text);
    return this;
  }

  block(head: string, body: () => void, tail = "}"): this {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    return this.line(tail);
  }

  toString(): string {
    return this.lines.join("\n");
  }
}
