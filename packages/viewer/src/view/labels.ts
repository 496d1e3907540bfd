import type { ItemKind, LabelAnchor } from "@plantgan/scene";
import { type Camera, Vector3 } from "three";

/** Label box estimate, px: characters × width plus padding, one line high. */
const CHAR_W = 7;
const PAD_W = 8;
const LABEL_H = 17;

/**
 * Tag labels as a pool of DOM elements over the canvas (no fonts to download, crisp text).
 * Every update projects the anchors and shows at most `poolSize` labels, none overlapping
 * another: the selected item's first, then equipment, then instruments, loops and interlocks; a
 * label that would collide with one already placed is hidden (no merged "F101LL"). The order is
 * stable, so labels do not flicker while orbiting. Preallocated: an update creates no three.js
 * objects and no arrays.
 */
export class LabelLayer {
  readonly element: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private anchors: readonly LabelAnchor[] = [];
  private readonly v = new Vector3();
  /** Placed label boxes, x0 y0 x1 y1 each. */
  private readonly placed: Float32Array;
  private kinds: ReadonlySet<ItemKind> = new Set<ItemKind>(["equipment", "loop", "interlock"]);
  private shown = 0;
  visible = true;

  constructor(
    parent: HTMLElement,
    private readonly poolSize = 160,
  ) {
    this.placed = new Float32Array(poolSize * 4);
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

  /** Pass 0: the selected item; 1: equipment; 2: everything else shown. */
  private inPass(pass: number, kind: ItemKind, isSelected: boolean): boolean {
    if (pass === 0) return isSelected;
    if (isSelected || !this.kinds.has(kind)) return false;
    return pass === 1 ? kind === "equipment" : kind !== "equipment";
  }

  private collides(n: number, x0: number, y0: number, x1: number, y1: number): boolean {
    const p = this.placed;
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      if (p[o]! < x1 && x0 < p[o + 2]! && p[o + 1]! < y1 && y0 < p[o + 3]!) return true;
    }
    return false;
  }

  update(camera: Camera, width: number, height: number, selected: string | null): void {
    let n = 0;
    if (this.visible) {
      for (let pass = 0; pass < 3 && n < this.poolSize; pass++) {
        for (let i = 0; i < this.anchors.length && n < this.poolSize; i++) {
          const a = this.anchors[i]!;
          const isSelected = a.id === selected;
          if (!this.inPass(pass, a.kind, isSelected)) continue;
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
          // The label sits centred above its anchor (translate -50%, -100%).
          const half = (a.text.length * CHAR_W + PAD_W) / 2;
          if (!isSelected && this.collides(n, x - half, y - LABEL_H, x + half, y)) continue;
          const o = n * 4;
          this.placed[o] = x - half;
          this.placed[o + 1] = y - LABEL_H;
          this.placed[o + 2] = x + half;
          this.placed[o + 3] = y;
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
