import { createContext, type ReactNode, useContext, useMemo, useState } from "react";
import { ApiClient, apiKey } from "../api/client.js";

interface ApiState {
  readonly api: ApiClient;
  readonly hasKey: boolean;
  readonly setKey: (key: string | null) => void;
  /** Set when the server refused the key (401). */
  readonly rejected: boolean;
}

const Ctx = createContext<ApiState | null>(null);

/** One API client for the app; the key is read from localStorage on every request. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const [hasKey, setHasKey] = useState(() => apiKey.get() !== null);
  const [rejected, setRejected] = useState(false);
  const api = useMemo(() => new ApiClient({ onUnauthorized: () => setRejected(true) }), []);
  const value = useMemo<ApiState>(
    () => ({
      api,
      hasKey,
      rejected,
      setKey: (key) => {
        apiKey.set(key);
        setHasKey(key !== null && key !== "");
        setRejected(false);
      },
    }),
    [api, hasKey, rejected],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useApi(): ApiState {
  const v = useContext(Ctx);
  if (!v) throw new Error("useApi outside ApiProvider");
  return v;
}
