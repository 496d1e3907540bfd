import { type FormEvent, type ReactNode, useState } from "react";
import { CandidatesPage } from "../pages/CandidatesPage.js";
import { DatasetsPage } from "../pages/DatasetsPage.js";
import { DesignPage } from "../pages/DesignPage.js";
import { TrainingPage } from "../pages/TrainingPage.js";
import { ApiProvider, useApi } from "./api-context.js";
import { href, type Route, useRoute } from "./router.js";

/** Asks for the API key once; it is kept in localStorage and sent as a Bearer token. */
function KeyForm({ reason }: { reason?: string }) {
  const { setKey } = useApi();
  const [value, setValue] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) setKey(value.trim());
  };
  return (
    <form className="pg-panel pg-key" onSubmit={submit} aria-label="API key">
      <h2>API key</h2>
      {reason && <p className="pg-error">{reason}</p>}
      <p className="pg-muted">
        Enter the workspace API key (<code>pgk_…</code>, from <code>pnpm plantgan serve</code> or your administrator).
        It stays in this browser.
      </p>
      <input
        name="apiKey"
        type="password"
        autoComplete="off"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="pgk_…"
      />
      <button type="submit" className="primary">
        Save
      </button>
    </form>
  );
}

const NAV: readonly [Route["page"], string, string][] = [
  ["datasets", "datasets", "Datasets & designs"],
  ["candidates", "candidates", "Candidates"],
  ["training", "training", "Training"],
];

function Shell() {
  const route = useRoute();
  const { hasKey, rejected, setKey } = useApi();
  const active = route.page === "design" || route.page === "designs" ? "datasets" : route.page;
  let body: ReactNode;
  if (!hasKey) body = <KeyForm />;
  else if (rejected) body = <KeyForm reason="The server refused this key." />;
  else
    switch (route.page) {
      case "design":
        body = <DesignPage key={route.id} id={route.id!} view={route.query.get("view")} />;
        break;
      case "candidates":
        body = <CandidatesPage jobId={route.query.get("job") ?? undefined} openId={route.id} />;
        break;
      case "training":
        body = <TrainingPage jobId={route.query.get("job") ?? undefined} />;
        break;
      default:
        body = <DatasetsPage query={route.query} />;
    }
  return (
    <div className="pg-app">
      <nav className="pg-nav">
        <a className="brand" href={href("datasets")}>
          PlantGAN
        </a>
        {NAV.map(([page, path, label]) => (
          <a key={page} href={href(path)} className={active === page ? "active" : ""}>
            {label}
          </a>
        ))}
        <span className="spacer" />
        {hasKey && (
          <button type="button" className="link" onClick={() => setKey(null)}>
            Change API key
          </button>
        )}
      </nav>
      <main>{body}</main>
    </div>
  );
}

export function App() {
  return (
    <ApiProvider>
      <Shell />
    </ApiProvider>
  );
}
