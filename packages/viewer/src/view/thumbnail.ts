import type { Design } from "@plantgan/core/design";
import { buildDesignScene, viewPose } from "@plantgan/scene";
import { Color, DirectionalLight, HemisphereLight, PerspectiveCamera, Scene, WebGLRenderer } from "three";

const WIDTH = 320;
const HEIGHT = 220;

let renderer: WebGLRenderer | null = null;
let scene: Scene | null = null;
const camera = new PerspectiveCamera(40, WIDTH / HEIGHT, 0.1, 50000);
camera.up.set(0, 0, 1);
const cache = new Map<string, string>();
let queue: Promise<unknown> = Promise.resolve();

function setup(): { renderer: WebGLRenderer; scene: Scene } {
  if (!renderer || !scene) {
    renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    renderer.setPixelRatio(1);
    renderer.setSize(WIDTH, HEIGHT, false);
    scene = new Scene();
    scene.background = new Color(0xeef1f5);
    const sun = new DirectionalLight(0xffffff, 1.8);
    sun.position.set(0.6, -0.8, 1.4);
    scene.add(new HemisphereLight(0xffffff, 0x6b7078, 1.4), sun);
  }
  return { renderer, scene };
}

/**
 * A PNG data URL of a design seen from the iso view. One shared offscreen renderer serves every
 * thumbnail (browsers cap live WebGL contexts), one at a time; each design's scene is built,
 * drawn and freed at once. Cached by `key` (e.g. candidate id).
 */
export function renderThumbnail(design: Design, key = design.id): Promise<string> {
  const hit = cache.get(key);
  if (hit) return Promise.resolve(hit);
  const job = queue.then(
    () =>
      new Promise<string>((resolve) => {
        // Yield to the page between thumbnails so a grid of them keeps the UI responsive.
        setTimeout(() => {
          const { renderer: r, scene: s } = setup();
          const built = buildDesignScene(design, { minPipeRadius: 0.15 });
          s.add(built.group);
          const pose = viewPose(built.bounds, "iso", camera.fov, camera.aspect);
          const size = built.bounds.getSize(pose.target.clone()).length();
          camera.near = Math.max(0.05, size / 4000);
          camera.far = Math.max(1000, size * 20);
          camera.position.copy(pose.position);
          camera.lookAt(pose.target);
          camera.updateProjectionMatrix();
          r.render(s, camera);
          const url = r.domElement.toDataURL("image/png");
          s.remove(built.group);
          built.dispose();
          cache.set(key, url);
          resolve(url);
        }, 0);
      }),
  );
  queue = job.catch(() => undefined);
  return job;
}
