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

  /** Runs `body` one level deeper. */
  indent(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  /** Appends another writer's lines at this depth. */
  append(other: Code): this {
    for (const line of other.lines) this.line(line);
    return this;
  }

  toString(): string {
    return this.lines.join("\n");
  }
}
