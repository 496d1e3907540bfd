import type { Design } from "@plantgan/core/design";
import type { PickTarget } from "@plantgan/scene";
import { describeTarget } from "../view/properties.js";

/** Properties of the picked item, straight from the design document. */
export function PropertiesPanel({ design, target }: { design: Design | null; target: PickTarget | null }) {
  const props = design && target ? describeTarget(design, target) : null;
  return (
    <section className="pg-panel pg-properties" aria-label="Properties" data-testid="properties">
      {!props && <p className="pg-muted">Click anything in the scene for its properties.</p>}
      {props && (
        <>
          <h2 data-testid="properties-title">{props.title}</h2>
          <p className="pg-muted">{props.subtitle}</p>
          <table>
            <tbody>
              {props.rows.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
