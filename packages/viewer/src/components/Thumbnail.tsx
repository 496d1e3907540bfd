import type { Design } from "@plantgan/core/design";
import { useEffect, useState } from "react";
import { renderThumbnail } from "../view/thumbnail.js";

/** A design drawn once into an image by the shared offscreen renderer. */
export function Thumbnail({ design, cacheKey, alt }: { design: Design | undefined; cacheKey: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (design) void renderThumbnail(design, cacheKey).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [design, cacheKey]);
  return url ? (
    <img className="pg-thumb" src={url} alt={alt} width={320} height={220} />
  ) : (
    <div className="pg-thumb pg-thumb-empty">…</div>
  );
}
