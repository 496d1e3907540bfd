import type { ItemKind, LabelAnchor } from "@plantgan/scene";
import { type Camera, Vector3 } from "three";

/** Screen cell a label claims, px: one label per cell keeps dense plants readable. */
const CELL_W = 72;
const CELL_H = 18;

/**
 * Tag labels as a pool of DOM elements over the canvas (no fonts to download, crisp text).
 * Every update projects the anchors and shows at most `poolSize`, one per screen cell, in a
 * stable order (so labels do not flicker while orbiting). Preallocated: an update creates no
 * three.js objects and no arrays.
 */
export class LabelLayer {
  readonly element: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private anchors: readonly LabelAnchor[] = [];
  private readonly v = new Vector3();
  private occupied = new Uint8Array(0);
  private kinds: ReadonlySet<ItemKind> = new Set<ItemKind>(["equipment", "loop", "interlock"]);
  private shown = 0;
  visible = true;

  constructor(
    parent: HTMLElement,
    private readonly poolSize = 160,
  ) {
    this.element = document.createElement("div");
    this.element.className = "pg-labels";
    parent.appendChild(this.element);
    for (let i = 0; i < poolSize; i++) {
      const el = document.createElement("div");
      el.className = "pg-label";
      el.style.display = "none";
      this.element.appendChild(el);
      this.pool.push(el);
    }
  }

  setAnchors(anchors: readonly LabelAnchor[]): void {
    this.anchors = anchors;
  }

  /** Which kinds get labels (the overlay's loop/interlock tags only while it shows). */
  setKinds(kinds: ReadonlySet<ItemKind>): void {
    this.kinds = kinds;
  }

  update(camera: Camera, width: number, height: number, selected: string | null): void {
    const cols = Math.ceil(width / CELL_W) + 1;
    const rows = Math.ceil(height / CELL_H) + 1;
    if (this.occupied.length < cols * rows) this.occupied = new Uint8Array(cols * rows);
    else this.occupied.fill(0, 0, cols * rows);
    let n = 0;
    if (this.visible) {
      // The selected item's label first, so it always shows.
      for (let pass = 0; pass < 2 && n < this.poolSize; pass++) {
        for (let i = 0; i < this.anchors.length && n < this.poolSize; i++) {
          const a = this.anchors[i]!;
          const isSelected = a.id === selected;
          if ((pass === 0) !== isSelected) continue;
          if (!isSelected && !this.kinds.has(a.kind)) continue;
          this.v.set(a.x, a.y, a.z).project(camera);
          if (
            this.v.z < -1 ||
            this.v.z > 1 ||
            this.v.x < -1.05 ||
            this.v.x > 1.05 ||
            this.v.y < -1.05 ||
            this.v.y > 1.05
          )
            continue;
          const x = (this.v.x * 0.5 + 0.5) * width;
          const y = (-this.v.y * 0.5 + 0.5) * height;
          const cell = Math.floor(y / CELL_H) * cols + Math.floor(x / CELL_W);
          if (cell < 0 || cell >= cols * rows) continue;
          if (this.occupied[cell] && !isSelected) continue;
          this.occupied[cell] = 1;
          const el = this.pool[n++]!;
          if (el.textContent !== a.text) el.textContent = a.text;
          el.style.transform = `translate(${x.toFixed(0)}px, ${y.toFixed(0)}px) translate(-50%, -100%)`;
          el.dataset.kind = a.kind;
          el.classList.toggle("selected", isSelected);
          if (el.style.display !== "") el.style.display = "";
        }
      }
    }
    for (let i = n; i < this.shown; i++) this.pool[i]!.style.display = "none";
    this.shown = n;
  }

  dispose(): void {
    this.element.remove();
    this.pool.length = 0;
  }
}
