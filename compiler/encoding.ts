/**
 * Source bytes to text and back, the way TypeScript reads sources: UTF-8 with or without a
 * byte-order mark, and UTF-16 (little- or big-endian) after its byte-order mark.
 *
 * Input: a file's bytes. Output: its text, without the byte-order mark, and the encoding
 * to write a rewritten text back in. Invariant: `encode(decode(bytes).text, encoding)`
 * gives back exactly `bytes`, or `decode` says where the first byte is that its encoding
 * cannot represent (a Latin-1 `é` in a UTF-8 file), so that a rewritten file never comes
 * out with bytes of the user's silently changed.
 */

export type Encoding = "utf8" | "utf8-bom" | "utf16le" | "utf16be";

export interface Decoded {
  text: string;
  encoding: Encoding;
  /** the first byte that does not decode, and where it lands in `text` */
  invalid?: { byte: number; offset: number };
}

const marks: Record<Encoding, readonly number[]> = {
  "utf8-bom": [0xef, 0xbb, 0xbf],
  utf16le: [0xff, 0xfe],
  utf16be: [0xfe, 0xff],
  utf8: [],
};

export function decode(bytes: Buffer): Decoded {
  const encoding = (["utf8-bom", "utf16le", "utf16be"] as const).find((candidate) =>
    marks[candidate].every((byte, i) => bytes[i] === byte),
  ) ?? "utf8";
  const body = bytes.subarray(marks[encoding].length);
  const text = encoding === "utf16le" || encoding === "utf16be" ? utf16(body, encoding).toString("utf16le") : body.toString("utf8");
  const again = encode(text, encoding);
  if (again.equals(bytes)) return { text, encoding };
  let at = 0;
  while (at < bytes.length && bytes[at] === again[at]) at++;
  const start = marks[encoding].length;
  const offset = encoding === "utf16le" || encoding === "utf16be" ? Math.floor((at - start) / 2) : bytes.subarray(start, at).toString("utf8").length;
  return { text, encoding, invalid: { byte: bytes[at] ?? 0, offset } };
}

export function encode(text: string, encoding: Encoding): Buffer {
  const mark = Buffer.from(marks[encoding]);
  const body = encoding === "utf16le" || encoding === "utf16be" ? utf16(Buffer.from(text, "utf16le"), encoding) : Buffer.from(text, "utf8");
  return Buffer.concat([mark, body]);
}

/** UTF-16 bytes in little-endian order from `order`, or back (the swap is its own inverse). */
function utf16(bytes: Buffer, order: "utf16le" | "utf16be"): Buffer {
  if (order === "utf16le") return bytes;
  const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return swapped.swap16();
}
