import { boxRect, type Rack, rackRect, type Site } from "@plantgan/core/design";
import {
  Box3,
  BufferAttribute,
  BufferGeometry,
  Color,
  InstancedMesh,
  LineSegments,
  Matrix4,
  type Mesh,
  Quaternion,
  Vector3,
} from "three";
import { KEEP_OUT_COLOURS, KEEP_OUT_HEIGHT, PLOT_COLOUR, RACK_COLOUR } from "./palette.js";
import type { SceneRegistry } from "./registry.js";
import type { SceneResources } from "./resources.js";
import type { PickTarget } from "./types.js";

/** Spacing of rack bents (portal frames), m: a common 6 m bay. */
export const RACK_BAY = 6;
const GROUND_THICKNESS = 0.05;
const FLAT_HEIGHT = 0.03;

/** One bent every RACK_BAY m along the rack, at both ends included. */
export function rackBents(r: Rack): number[] {
  const n = Math.max(1, Math.round(r.length / RACK_BAY));
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push((r.length * i) / n);
  return out;
}

/**
 * The plot (a slab under z = 0 with a 10 m grid), keep-outs (flat for roads and zones, boxes for
 * buildings) and racks (posts at every bent up to the top level, a deck at each level).
 */
export function buildSite(
  site: Site,
  res: SceneResources,
  reg: SceneRegistry,
): (Mesh | InstancedMesh | LineSegments)[] {
  const out: (Mesh | InstancedMesh | LineSegments)[] = [];
  const m = new Matrix4();
  const q = new Quaternion();
  const p = new Vector3();
  const s = new Vector3();
  const colour = new Color();
  const box = new Box3();

  // Plot.
  const plot = new InstancedMesh(res.geometry("box"), res.solid(), 1);
  m.compose(
    p.set(site.width / 2, site.depth / 2, -GROUND_THICKNESS),
    q,
    s.set(site.width, site.depth, GROUND_THICKNESS),
  );
  plot.setMatrixAt(0, m);
  plot.setColorAt(0, colour.setHex(PLOT_COLOUR));
  plot.name = "plot";
  plot.userData = { layer: "site" };
  plot.computeBoundingBox();
  plot.computeBoundingSphere();
  reg.pickInstances(plot, [{ kind: "plot", id: "plot" }]);
  reg.addItem("plot", "plot", box.set(new Vector3(0, 0, -GROUND_THICKNESS), new Vector3(site.width, site.depth, 0)));
  out.push(plot);

  // Grid every 10 m (every 50 m on large plots), just above the ground.
  const step = Math.max(site.width, site.depth) > 600 ? 50 : 10;
  const grid: number[] = [];
  for (let x = 0; x <= site.width + 1e-9; x += step) grid.push(x, 0, 0.01, x, site.depth, 0.01);
  for (let y = 0; y <= site.depth + 1e-9; y += step) grid.push(0, y, 0.01, site.width, y, 0.01);
  const gridGeometry = res.own(new BufferGeometry());
  gridGeometry.setAttribute("position", new BufferAttribute(new Float32Array(grid), 3));
  const gridLines = new LineSegments(gridGeometry, res.lines({ colour: 0x8c9484, opacity: 0.7 }));
  gridLines.name = "grid";
  gridLines.userData = { layer: "site" };
  out.push(gridLines);

  // Keep-outs.
  if (site.keepOut.length > 0) {
    const mesh = new InstancedMesh(
      res.geometry("box"),
      res.solid({ transparent: true, opacity: 0.75 }),
      site.keepOut.length,
    );
    const targets: PickTarget[] = [];
    site.keepOut.forEach((k, i) => {
      const r = boxRect(k);
      const h = KEEP_OUT_HEIGHT[k.kind] ?? FLAT_HEIGHT;
      m.compose(p.set((r.minX + r.maxX) / 2, (r.minY + r.maxY) / 2, 0), q, s.set(k.width, k.depth, h));
      mesh.setMatrixAt(i, m);
      mesh.setColorAt(i, colour.setHex(KEEP_OUT_COLOURS[k.kind] ?? 0xa4b0be));
      targets.push({ kind: "keepOut", id: k.id });
      reg.addPaint("keepOut", k.id, { mesh, instance: i });
      reg.addItem("keepOut", k.id, box.set(new Vector3(r.minX, r.minY, 0), new Vector3(r.maxX, r.maxY, h)));
    });
    mesh.name = "keepOut";
    mesh.userData = { layer: "site" };
    mesh.renderOrder = 1;
    mesh.computeBoundingBox();
    mesh.computeBoundingSphere();
    reg.pickInstances(mesh, targets);
    out.push(mesh);
  }

  // Racks: posts on both sides of every bent, a thin deck per level.
  if (site.racks.length > 0) {
    const posts: { rack: Rack; x: number; y: number; h: number }[] = [];
    const decks: { rack: Rack; z: number }[] = [];
    for (const rack of site.racks) {
      const top = Math.max(...rack.levels);
      const r = rackRect(rack);
      for (const along of rackBents(rack)) {
        for (const across of [0.15, rack.width - 0.15]) {
          const x = rack.axis === "x" ? rack.x + along : rack.x + across;
          const y = rack.axis === "x" ? rack.y + across : rack.y + along;
          posts.push({ rack, x, y, h: top });
        }
      }
      for (const z of rack.levels) decks.push({ rack, z });
      reg.addItem("rack", rack.id, box.set(new Vector3(r.minX, r.minY, 0), new Vector3(r.maxX, r.maxY, top)));
    }
    const postMesh = new InstancedMesh(res.geometry("box"), res.solid(), posts.length);
    posts.forEach((post, i) => {
      m.compose(p.set(post.x, post.y, 0), q, s.set(0.3, 0.3, post.h));
      postMesh.setMatrixAt(i, m);
      postMesh.setColorAt(i, colour.setHex(RACK_COLOUR));
      reg.addPaint("rack", post.rack.id, { mesh: postMesh, instance: i });
    });
    postMesh.name = "rack:posts";
    postMesh.userData = { layer: "racks" };
    const deckMesh = new InstancedMesh(
      res.geometry("box"),
      res.solid({ transparent: true, opacity: 0.45 }),
      decks.length,
    );
    decks.forEach((deck, i) => {
      const r = rackRect(deck.rack);
      m.compose(
        p.set((r.minX + r.maxX) / 2, (r.minY + r.maxY) / 2, deck.z - 0.15),
        q,
        s.set(r.maxX - r.minX, r.maxY - r.minY, 0.12),
      );
      deckMesh.setMatrixAt(i, m);
      deckMesh.setColorAt(i, colour.setHex(RACK_COLOUR));
      reg.addPaint("rack", deck.rack.id, { mesh: deckMesh, instance: i });
    });
    deckMesh.name = "rack:levels";
    deckMesh.userData = { layer: "racks" };
    for (const mesh of [postMesh, deckMesh]) {
      mesh.computeBoundingBox();
      mesh.computeBoundingSphere();
      out.push(mesh);
    }
    reg.pickInstances(
      postMesh,
      posts.map((x) => ({ kind: "rack", id: x.rack.id })),
    );
    reg.pickInstances(
      deckMesh,
      decks.map((x) => ({ kind: "rack", id: x.rack.id })),
    );
  }
  return out;
}
