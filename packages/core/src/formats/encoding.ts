/**
 * Bytes → text, as the input says it is encoded: a byte order mark (UTF-8, UTF-16 LE/BE), else
 * the XML declaration's `encoding` (UTF-16 without a BOM shows itself by its zero bytes), else
 * UTF-8. Only UTF-8 and UTF-16 are read; any other declared encoding is refused by name, never
 * guessed (a Latin-1 file read as UTF-8 would silently garble its tags).
 */

export type Decoded = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
const UTF16LE = new TextDecoder("utf-16le", { ignoreBOM: true });
const UTF16BE = new TextDecoder("utf-16be", { ignoreBOM: true });

/** Text of the content; a leading byte order mark is dropped. Malformed UTF-8 becomes U+FFFD. */
export function decodeContent(content: string | Uint8Array): Decoded {
  if (typeof content === "string") return { ok: true, text: stripBom(content) };
  const b = content;
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return declared(UTF8.decode(b.subarray(3)), "utf-8");
  if (b[0] === 0xff && b[1] === 0xfe) return declared(UTF16LE.decode(b.subarray(2)), "utf-16");
  if (b[0] === 0xfe && b[1] === 0xff) return declared(UTF16BE.decode(b.subarray(2)), "utf-16");
  // "<?" in UTF-16 without a BOM: the zero byte says which end comes first.
  if (b[0] === 0x3c && b[1] === 0x00 && b[2] === 0x3f && b[3] === 0x00) return declared(UTF16LE.decode(b), "utf-16");
  if (b[0] === 0x00 && b[1] === 0x3c && b[2] === 0x00 && b[3] === 0x3f) return declared(UTF16BE.decode(b), "utf-16");
  return declared(UTF8.decode(b), "utf-8");
}

/** The `encoding` of an XML declaration at the start of `text`, lower-cased; undefined when there is none. */
export function declaredEncoding(text: string): string | undefined {
  const decl = /^\s*<\?xml\s[^?]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(text.slice(0, 512));
  return decl?.[1]?.toLowerCase();
}

/** The decoded text, when its declaration agrees with how its bytes were read. */
function declared(text: string, readAs: "utf-8" | "utf-16"): Decoded {
  const body = stripBom(text);
  const named = declaredEncoding(body);
  if (named === undefined) return { ok: true, text: body };
  const family = /^utf-?8$|^(us-)?ascii$/.test(named)
    ? "utf-8"
    : /^utf-?16(le|be)?$|^ucs-2$/.test(named)
      ? "utf-16"
      : undefined;
  if (family === undefined) {
    return {
      ok: false,
      message: `the input declares the encoding "${named}", which PlantGAN does not read: save it as UTF-8 or UTF-16`,
    };
  }
  if (family !== readAs) {
    return {
      ok: false,
      message: `the input declares the encoding "${named}" but its bytes are ${readAs === "utf-8" ? "UTF-8 (no UTF-16 byte order mark or zero bytes)" : "UTF-16"}`,
    };
  }
  return { ok: true, text: body };
}

function stripBom(text: string): string {
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}
