import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App.js";
import { BenchPage } from "./pages/BenchPage.js";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
const search = new URLSearchParams(location.search);
createRoot(root).render(
  search.has("bench") ? (
    <BenchPage query={search} />
  ) : (
    <StrictMode>
      <App />
    </StrictMode>
  ),
);
