import { useEffect, useState } from "react";

/** The app's routes live in the hash (#/designs/abc), so the server only has to serve index.html at /. */
export interface Route {
  readonly page: "designs" | "design" | "candidates" | "training" | "datasets";
  readonly id?: string;
  readonly query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  switch (parts[0]) {
    case "designs":
      return parts[1] ? { page: "design", id: parts[1], query } : { page: "designs", query };
    case "candidates":
      return parts[1] ? { page: "candidates", id: parts[1], query } : { page: "candidates", query };
    case "training":
      return { page: "training", query };
    default:
      return { page: "datasets", query };
  }
}

export function href(page: string, id?: string, query?: Record<string, string>): string {
  const q = query ? new URLSearchParams(query).toString() : "";
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ""}${q ? `?${q}` : ""}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(globalThis.location?.hash ?? ""));
  useEffect(() => {
    const on = (): void => setRoute(parseHash(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}
