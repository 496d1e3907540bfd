/**
 * The design formats PlantGAN reads, and how an input's format is found: by its file extension,
 * else its media type, else its content. A new format (DEXPI 2.0, PCF…) is one more entry here.
 */
import { DEXPI_FORMAT } from "./dexpi/format.js";
import { DEXPI2_FORMAT } from "./dexpi2/format.js";
import { JSON_FORMAT } from "./json.js";
import { NDJSON_FORMAT } from "./ndjson.js";
import type { DesignFormat } from "./types.js";

export const DESIGN_FORMATS: readonly DesignFormat[] = [JSON_FORMAT, NDJSON_FORMAT, DEXPI_FORMAT, DEXPI2_FORMAT];

/** How much of the start of a text sniffing looks at. */
export const SNIFF_CHARS = 4096;

export function formatById(id: string, formats = DESIGN_FORMATS): DesignFormat | undefined {
  return formats.find((f) => f.id === id);
}

/** "Application/JSON; charset=utf-8" → "application/json". */
export function normaliseMediaType(mediaType: string): string {
  return mediaType.split(";")[0]!.trim().toLowerCase();
}

/** ".json" for "designs/Plant.JSON"; "" when the name has no extension. */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

/** The format a media type names (parameters ignored); undefined for a type no format claims. */
export function formatByMediaType(mediaType: string | undefined, formats = DESIGN_FORMATS): DesignFormat | undefined {
  if (!mediaType) return undefined;
  const type = normaliseMediaType(mediaType);
  return formats.find((f) => f.mediaTypes.includes(type));
}

/** Every extension some format claims, e.g. to pick the files of a folder. */
export function knownExtensions(formats = DESIGN_FORMATS): string[] {
  return [...new Set(formats.flatMap((f) => f.extensions))];
}

export interface FormatHint {
  /** A file name; only its extension is used. */
  readonly name?: string;
  readonly mediaType?: string;
  /** The start of the content (see SNIFF_CHARS). */
  readonly head?: string;
}

export type Detection =
  | { readonly ok: true; readonly format: DesignFormat; readonly by: "extension" | "media type" | "content" }
  | { readonly ok: false; readonly message: string };

/**
 * Finds the format of an input. The extension decides, else the media type, when exactly one
 * format claims it; where several do, or neither is claimed, the content decides among them.
 */
export function detectFormat(hint: FormatHint, formats = DESIGN_FORMATS): Detection {
  const extension = hint.name ? extensionOf(hint.name) : "";
  const mediaType = hint.mediaType ? normaliseMediaType(hint.mediaType) : "";
  const byExtension = extension ? formats.filter((f) => f.extensions.includes(extension)) : [];
  const byMediaType = mediaType ? formats.filter((f) => f.mediaTypes.includes(mediaType)) : [];
  if (byExtension.length === 1) return { ok: true, format: byExtension[0]!, by: "extension" };
  if (byExtension.length === 0 && byMediaType.length === 1)
    return { ok: true, format: byMediaType[0]!, by: "media type" };

  const claimed = byExtension.length > 0 ? byExtension : byMediaType;
  const pool = claimed.length > 0 ? claimed : formats;
  const head = hint.head?.slice(0, SNIFF_CHARS);
  const sniffed = head === undefined ? undefined : pool.find((f) => f.sniff(head));
  if (sniffed) return { ok: true, format: sniffed, by: "content" };
  return { ok: false, message: refusal(extension, mediaType, head, claimed, formats) };
}

/** Says what was tried and what is known, so a person sees which hint to fix. */
function refusal(
  extension: string,
  mediaType: string,
  head: string | undefined,
  claimed: readonly DesignFormat[],
  formats: readonly DesignFormat[],
): string {
  const tried = [
    extension ? `the extension "${extension}"` : "no file extension",
    mediaType ? `the media type "${mediaType}"` : "no media type",
    head === undefined
      ? "no content"
      : head.trim() === ""
        ? "empty content"
        : `the content (starting ${JSON.stringify(head.trimStart().slice(0, 24))})`,
  ];
  const known = formats.map((f) => `${f.title}: ${[...f.extensions, ...f.mediaTypes].join(", ")}`).join("; ");
  const why =
    claimed.length > 1
      ? `${tried[0]} fits ${claimed.map((f) => f.title).join(" and ")}, but the content looks like neither`
      : `tried ${tried.join(", ")}`;
  return `not a design format PlantGAN reads: ${why}. Known formats: ${known}`;
}
