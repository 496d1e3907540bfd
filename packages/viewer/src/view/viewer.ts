import type { Design } from "@plantgan/core/design";
import {
  type BuildOptions,
  buildDesignScene,
  type DesignScene,
  easeInOut,
  exportGltf,
  framePose,
  type HighlightRequest,
  type ItemKind,
  type PickTarget,
  type ViewName,
  viewPose,
} from "@plantgan/scene";
import {
  Box3,
  Color,
  DirectionalLight,
  HemisphereLight,
  type Intersection,
  type Object3D,
  PerspectiveCamera,
  Raycaster,
  Scene,
  Vector2,
  Vector3,
  WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { LabelLayer } from "./labels.js";
import { OverlayFilter, type OverlayKinds } from "./overlay-kinds.js";

const FOV = 45;
const BACKGROUND = 0xeef1f5;
/** Kinds that get tags: equipment always, loops and interlocks while their overlay shows. */
function labelKinds(kinds: OverlayKinds): Set<ItemKind> {
  const out = new Set<ItemKind>(["equipment"]);
  if (kinds.loop) out.add("loop");
  if (kinds.interlock) out.add("interlock");
  return out;
}

export interface ViewerOptions {
  /** Keep the drawing buffer (thumbnails, pixel checks); costs a copy per frame. */
  readonly preserveDrawingBuffer?: boolean;
  readonly onPick?: (target: PickTarget | null) => void;
  /** Called after each rendered frame with its CPU time, ms. */
  readonly onFrame?: (ms: number) => void;
  readonly labels?: boolean;
  /** Multisampling (default true; costly in software rendering). */
  readonly antialias?: boolean;
  /** Largest device pixel ratio used (default 2). */
  readonly maxPixelRatio?: number;
}

/**
 * The 3D view: one WebGL renderer, a z-up perspective camera with orbit/pan/zoom, lights only
 * (no environment map to fetch), rendering on demand. Everything the frame loop touches is
 * allocated here once: camera flights interpolate preallocated vectors.
 */
export class Viewer {
  readonly renderer: WebGLRenderer;
  readonly camera: PerspectiveCamera;
  readonly controls: OrbitControls;
  readonly scene = new Scene();
  private built: DesignScene | null = null;
  private overlayFilter: OverlayFilter | null = null;
  private overlayKinds: OverlayKinds = { loop: true, interlock: true };
  private readonly labels: LabelLayer | null;
  private readonly resizeObserver: ResizeObserver;
  private frameRequested = false;
  private rafId = 0;
  private disposed = false;
  private width = 1;
  private height = 1;
  private selectedId: string | null = null;
  // Camera flight, preallocated.
  private flight = { active: false, start: 0, duration: 600 };
  private readonly fromPos = new Vector3();
  private readonly fromTarget = new Vector3();
  private readonly toPos = new Vector3();
  private readonly toTarget = new Vector3();
  private readonly tmpDir = new Vector3();
  // Picking.
  private readonly raycaster = new Raycaster();
  private readonly pointer = new Vector2();
  private readonly downAt = new Vector2();
  private readonly hits: Intersection<Object3D>[] = [];

  constructor(
    private readonly container: HTMLElement,
    private readonly options: ViewerOptions = {},
  ) {
    this.renderer = new WebGLRenderer({
      antialias: options.antialias ?? true,
      preserveDrawingBuffer: options.preserveDrawingBuffer ?? false,
      powerPreference: "high-performance",
    });
    this.renderer.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, options.maxPixelRatio ?? 2));
    this.renderer.domElement.className = "pg-canvas";
    this.renderer.domElement.tabIndex = 0;
    container.appendChild(this.renderer.domElement);
    this.scene.background = new Color(BACKGROUND);

    this.camera = new PerspectiveCamera(FOV, 1, 0.1, 20000);
    this.camera.up.set(0, 0, 1);
    this.camera.position.set(100, -100, 100);

    const hemi = new HemisphereLight(0xffffff, 0x6b7078, 1.4);
    hemi.position.set(0, 0, 1);
    const sun = new DirectionalLight(0xffffff, 1.8);
    sun.position.set(0.6, -0.8, 1.4);
    this.scene.add(hemi, sun);

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = true;
    this.controls.dampingFactor = 0.15;
    this.controls.screenSpacePanning = true;
    this.controls.zoomToCursor = true;
    // Arrow keys pan while the canvas has focus.
    this.controls.listenToKeyEvents(this.renderer.domElement);
    this.controls.addEventListener("change", this.requestRender);
    this.controls.addEventListener("start", this.cancelFlight);

    this.raycaster.params.Line = { threshold: 0.4 };
    this.renderer.domElement.addEventListener("pointerdown", this.onPointerDown);
    this.renderer.domElement.addEventListener("pointerup", this.onPointerUp);

    this.labels = options.labels === false ? null : new LabelLayer(container);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  get designScene(): DesignScene | null {
    return this.built;
  }

  /** Replaces the shown design (the old scene's geometry and materials are freed). */
  setDesign(design: Design | null, options: BuildOptions = {}): DesignScene | null {
    if (this.built) {
      this.scene.remove(this.built.group);
      this.built.dispose();
      this.built = null;
      this.overlayFilter = null;
    }
    this.selectedId = null;
    if (design) {
      this.built = buildDesignScene(design, options);
      this.scene.add(this.built.group);
      this.labels?.setAnchors(this.built.labels);
      this.overlayFilter = new OverlayFilter(this.built);
      this.applyOverlay();
      const size = this.built.bounds.getSize(this.tmpDir).length();
      this.camera.near = Math.max(0.05, size / 4000);
      this.camera.far = Math.max(2000, size * 20);
      this.camera.updateProjectionMatrix();
      this.controls.maxDistance = size * 8;
      this.setView("iso", false);
    } else {
      this.labels?.setAnchors([]);
    }
    this.requestRender();
    return this.built;
  }

  setView(view: ViewName, animate = true): void {
    if (!this.built) return;
    const pose = viewPose(this.built.bounds, view, FOV, this.camera.aspect);
    this.moveCamera(pose.position, pose.target, animate);
  }

  /** Flies to frame a box, keeping the current viewing direction. */
  flyTo(box: Box3, animate = true): void {
    if (box.isEmpty()) return;
    this.tmpDir.subVectors(this.camera.position, this.controls.target).normalize();
    const pose = framePose(box, this.tmpDir, FOV, this.camera.aspect, 6);
    this.moveCamera(pose.position, pose.target, animate);
  }

  highlight(request: HighlightRequest, fly: boolean): Box3 {
    if (!this.built) return new Box3();
    const box = this.built.highlight(request);
    if (fly && !box.isEmpty()) this.flyTo(box);
    this.requestRender();
    return box;
  }

  /** Marks one item as selected (label always shown, highlighted). */
  select(target: PickTarget | null, fly = false): void {
    this.selectedId = target?.id ?? null;
    if (!this.built) return;
    if (!target) {
      this.built.highlight({});
    } else if (target.kind === "line") {
      this.highlight({ lines: [target.id] }, fly);
    } else if (target.kind !== "plot") {
      this.highlight({ tags: [target.id] }, fly);
    }
    this.requestRender();
  }

  /** Shows the whole control overlay, or none of it. */
  setOverlay(visible: boolean): void {
    this.setOverlayKinds({ loop: visible, interlock: visible });
  }

  /** Shows the control overlay's loops and interlocks, each on its own. */
  setOverlayKinds(kinds: OverlayKinds): void {
    this.overlayKinds = kinds;
    this.applyOverlay();
  }

  private applyOverlay(): void {
    this.overlayFilter?.apply(this.overlayKinds);
    this.labels?.setKinds(labelKinds(this.overlayKinds));
    this.requestRender();
  }

  setLabels(visible: boolean): void {
    if (this.labels) this.labels.visible = visible;
    this.requestRender();
  }

  /** PNG of the current view. */
  snapshot(): Promise<Blob> {
    this.renderNow();
    return new Promise((resolve, reject) =>
      this.renderer.domElement.toBlob((b) => (b ? resolve(b) : reject(new Error("snapshot failed"))), "image/png"),
    );
  }

  /** GLB of the design scene (y-up for glTF), without the highlight outline. */
  async exportGlb(): Promise<ArrayBuffer> {
    if (!this.built) throw new Error("no design");
    const outline = this.built.group.getObjectByName("highlight");
    if (outline) outline.visible = false;
    try {
      return (await exportGltf(this.built.group, { binary: true })) as ArrayBuffer;
    } finally {
      if (outline) outline.visible = true;
    }
  }

  /** Renders `frames` frames orbiting the target and returns each frame's time, ms (GPU included). */
  measureFrames(frames: number): number[] {
    const times: number[] = [];
    const gl = this.renderer.getContext();
    const pixel = new Uint8Array(4);
    const target = this.controls.target;
    const offset = this.tmpDir.subVectors(this.camera.position, target);
    const radius = Math.hypot(offset.x, offset.y);
    const angle0 = Math.atan2(offset.y, offset.x);
    for (let i = 0; i < frames; i++) {
      const a = angle0 + (i / frames) * Math.PI * 0.5;
      this.camera.position.set(
        target.x + Math.cos(a) * radius,
        target.y + Math.sin(a) * radius,
        this.camera.position.z,
      );
      this.camera.lookAt(target);
      const t0 = performance.now();
      this.renderer.render(this.scene, this.camera);
      // Reading a pixel waits for the GPU (SwiftShader included) to finish the frame.
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
      times.push(performance.now() - t0);
    }
    this.controls.update();
    return times;
  }

  /** Renders now, synchronously (first-frame timing, snapshots). */
  renderNow(): void {
    this.frameRequested = false;
    this.renderer.render(this.scene, this.camera);
    this.labels?.update(this.camera, this.width, this.height, this.selectedId);
  }

  requestRender = (): void => {
    if (this.frameRequested || this.disposed) return;
    this.frameRequested = true;
    this.rafId = requestAnimationFrame(this.frame);
  };

  private readonly frame = (now: number): void => {
    this.frameRequested = false;
    if (this.disposed) return;
    const t0 = performance.now();
    let again = false;
    if (this.flight.active) {
      const t = easeInOut((now - this.flight.start) / this.flight.duration);
      this.camera.position.lerpVectors(this.fromPos, this.toPos, t);
      this.controls.target.lerpVectors(this.fromTarget, this.toTarget, t);
      if (t >= 1) this.flight.active = false;
      again = this.flight.active;
    }
    // With damping, update() keeps reporting motion until the camera settles.
    if (this.controls.update()) again = true;
    this.renderer.render(this.scene, this.camera);
    this.labels?.update(this.camera, this.width, this.height, this.selectedId);
    this.options.onFrame?.(performance.now() - t0);
    if (again) this.requestRender();
  };

  private moveCamera(position: Vector3, target: Vector3, animate: boolean): void {
    if (!animate) {
      this.flight.active = false;
      this.camera.position.copy(position);
      this.controls.target.copy(target);
      this.controls.update();
      this.requestRender();
      return;
    }
    this.fromPos.copy(this.camera.position);
    this.fromTarget.copy(this.controls.target);
    this.toPos.copy(position);
    this.toTarget.copy(target);
    this.flight.active = true;
    this.flight.start = performance.now();
    this.requestRender();
  }

  private readonly cancelFlight = (): void => {
    this.flight.active = false;
  };

  private resize(): void {
    const w = Math.max(1, this.container.clientWidth);
    const h = Math.max(1, this.container.clientHeight);
    if (w === this.width && h === this.height) return;
    this.width = w;
    this.height = h;
    this.renderer.setSize(w, h, true);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private readonly onPointerDown = (e: PointerEvent): void => {
    this.downAt.set(e.clientX, e.clientY);
  };

  private readonly onPointerUp = (e: PointerEvent): void => {
    // A click, not the end of a drag.
    if (Math.hypot(e.clientX - this.downAt.x, e.clientY - this.downAt.y) > 4 || e.button !== 0) return;
    const target = this.pickAt(e.clientX, e.clientY);
    this.options.onPick?.(target);
  };

  /** The item under a client-space point, or null. */
  pickAt(clientX: number, clientY: number): PickTarget | null {
    if (!this.built) return null;
    const rect = this.renderer.domElement.getBoundingClientRect();
    this.pointer.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    this.raycaster.setFromCamera(this.pointer, this.camera);
    this.hits.length = 0;
    const overlayVisible = this.built.overlay.visible;
    for (const o of this.built.pickMap.objects) {
      if (!overlayVisible && o.parent === this.built.overlay) continue;
      this.raycaster.intersectObject(o, false, this.hits);
    }
    this.hits.sort((a, b) => a.distance - b.distance);
    // Prefer anything over the bare plot when both are hit.
    let plot: PickTarget | null = null;
    for (const hit of this.hits) {
      const t = this.built.pickMap.resolve(hit.object, hit);
      if (!t) continue;
      if (t.kind === "plot") {
        plot ??= t;
        continue;
      }
      return t;
    }
    return plot;
  }

  /** Screen position (client px) of a scene point, for tests and tooltips. */
  toClient(x: number, y: number, z: number): { x: number; y: number } {
    const v = this.tmpDir.set(x, y, z).project(this.camera);
    const rect = this.renderer.domElement.getBoundingClientRect();
    return { x: rect.left + (v.x * 0.5 + 0.5) * rect.width, y: rect.top + (-v.y * 0.5 + 0.5) * rect.height };
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.rafId);
    this.resizeObserver.disconnect();
    this.controls.removeEventListener("change", this.requestRender);
    this.controls.removeEventListener("start", this.cancelFlight);
    this.controls.dispose();
    this.renderer.domElement.removeEventListener("pointerdown", this.onPointerDown);
    this.renderer.domElement.removeEventListener("pointerup", this.onPointerUp);
    if (this.built) {
      this.scene.remove(this.built.group);
      this.built.dispose();
      this.built = null;
    }
    this.labels?.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}
