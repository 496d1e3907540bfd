/**
 * Shows the control overlay's loops and interlocks separately. The scene draws every signal line
 * in one LineSegments and every marker in one InstancedMesh; this keeps the segments of the
 * shown kinds in the draw index (hidden ones are neither drawn nor picked) and shrinks the
 * markers of hidden kinds to nothing, restoring their matrices when shown again.
 */
import type { DesignScene } from "@plantgan/scene";
import { BufferAttribute, type InstancedMesh, type LineSegments, Matrix4 } from "three";

export interface OverlayKinds {
  readonly loop: boolean;
  readonly interlock: boolean;
}

const ZERO = new Matrix4().makeScale(0, 0, 0);

export class OverlayFilter {
  private readonly original: Float32Array | null;

  constructor(private readonly built: DesignScene) {
    const markers = built.overlay.getObjectByName("overlay:markers") as InstancedMesh | undefined;
    this.original = markers ? new Float32Array(markers.instanceMatrix.array) : null;
  }

  apply(kinds: OverlayKinds): void {
    const shown = (kind: string | undefined): boolean =>
      (kind === "loop" && kinds.loop) || (kind === "interlock" && kinds.interlock);
    const signals = this.built.overlay.getObjectByName("overlay:signals") as LineSegments | undefined;
    if (signals) {
      const vertices = signals.geometry.getAttribute("position").count;
      const index: number[] = [];
      for (let v = 0; v < vertices; v += 2)
        if (shown(this.built.pickMap.resolve(signals, { index: v })?.kind)) index.push(v, v + 1);
      signals.geometry.setIndex(new BufferAttribute(new Uint32Array(index), 1));
    }
    const markers = this.built.overlay.getObjectByName("overlay:markers") as InstancedMesh | undefined;
    if (markers && this.original) {
      const m = new Matrix4();
      for (let i = 0; i < markers.count; i++) {
        if (shown(this.built.pickMap.resolve(markers, { instanceId: i })?.kind)) m.fromArray(this.original, i * 16);
        else m.copy(ZERO);
        markers.setMatrixAt(i, m);
      }
      markers.instanceMatrix.needsUpdate = true;
      markers.computeBoundingSphere();
    }
    this.built.overlay.visible = kinds.loop || kinds.interlock;
  }
}
