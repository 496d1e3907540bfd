/**
 * A small XML writer for the exports: elements as data, serialised with escaping and two-space
 * indentation. Attributes with an undefined value are left out, so optional fields stay optional.
 */

export type Attrs = Readonly<Record<string, string | number | undefined>>;

export interface XmlNode {
  readonly name: string;
  readonly attrs: Attrs;
  readonly children: readonly (XmlNode | string)[];
}

/** An element; string children are text (escaped when written). */
export function el(name: string, attrs: Attrs = {}, ...children: (XmlNode | string | undefined | false)[]): XmlNode {
  return { name, attrs, children: children.filter((c): c is XmlNode | string => c !== undefined && c !== false) };
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Numbers in the shortest form that reads back exactly (no exponent for the magnitudes a plant has). */
export function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
}

function attrText(attrs: Attrs): string {
  let out = "";
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out += ` ${k}="${escapeXml(typeof v === "number" ? num(v) : v)}"`;
  }
  return out;
}

function write(node: XmlNode, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  const open = `${pad}<${node.name}${attrText(node.attrs)}`;
  if (node.children.length === 0) {
    out.push(`${open}/>`);
    return;
  }
  if (node.children.every((c) => typeof c === "string")) {
    out.push(`${open}>${escapeXml((node.children as string[]).join(""))}</${node.name}>`);
    return;
  }
  out.push(`${open}>`);
  for (const c of node.children) {
    if (typeof c === "string") out.push(`${pad}  ${escapeXml(c)}`);
    else write(c, depth + 1, out);
  }
  out.push(`${pad}</${node.name}>`);
}

/** The document: XML declaration, then the root element, newline-terminated. */
export function xmlDocument(root: XmlNode): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, 0, out);
  return `${out.join("\n")}\n`;
}
