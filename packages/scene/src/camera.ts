import { type Box3, Sphere, Vector3 } from "three";

/** Standard views: plan from above, isometric from the south-east, elevation from the south. */
export type ViewName = "top" | "iso" | "side";

export interface CameraPose {
  readonly position: Vector3;
  readonly target: Vector3;
}

/** Unit directions from the target to the camera, z up (design coordinates). */
const VIEW_DIRECTIONS: Record<ViewName, Vector3> = {
  // A hair off vertical so orbit controls keep a defined azimuth.
  top: new Vector3(0, -0.001, 1).normalize(),
  iso: new Vector3(1, -1, 0.9).normalize(),
  side: new Vector3(0, -1, 0.12).normalize(),
};

/** Distance at which a sphere of `radius` fills a perspective view of vertical `fovDeg` and `aspect`. */
export function fitDistance(radius: number, fovDeg: number, aspect: number): number {
  const v = (fovDeg * Math.PI) / 360;
  const h = Math.atan(Math.tan(v) * aspect);
  return (radius * 1.08) / Math.sin(Math.min(v, h));
}

/**
 * Camera pose that frames `box` looking along -`direction` (a unit vector from target to camera),
 * z up: the nearest distance at which all eight corners lie inside the view, plus a small margin.
 */
export function framePose(box: Box3, direction: Vector3, fovDeg: number, aspect: number, minRadius = 2): CameraPose {
  const target = box.getCenter(new Vector3());
  const sphere = box.getBoundingSphere(new Sphere());
  if (sphere.radius < minRadius) {
    return { target, position: target.clone().addScaledVector(direction, fitDistance(minRadius, fovDeg, aspect)) };
  }
  const back = direction.clone().normalize();
  // Camera basis: right = up × back (up is z; a straight-down view takes y as up instead).
  const up = Math.abs(back.z) > 0.999 ? new Vector3(0, 1, 0) : new Vector3(0, 0, 1);
  const right = new Vector3().crossVectors(up, back).normalize();
  const camUp = new Vector3().crossVectors(back, right);
  const tanV = Math.tan((fovDeg * Math.PI) / 360);
  const tanH = tanV * aspect;
  const c = new Vector3();
  let d = 0;
  for (let i = 0; i < 8; i++) {
    c.set(i & 1 ? box.max.x : box.min.x, i & 2 ? box.max.y : box.min.y, i & 4 ? box.max.z : box.min.z).sub(target);
    const toward = c.dot(back);
    d = Math.max(d, toward + Math.abs(c.dot(right)) / tanH, toward + Math.abs(c.dot(camUp)) / tanV);
  }
  return { target, position: target.clone().addScaledVector(back, d * 1.06) };
}

export function viewPose(box: Box3, view: ViewName, fovDeg: number, aspect: number): CameraPose {
  return framePose(box, VIEW_DIRECTIONS[view], fovDeg, aspect);
}

/** Smooth start and stop for camera flights. */
export function easeInOut(t: number): number {
  const x = Math.min(Math.max(t, 0), 1);
  return x < 0.5 ? 4 * x * x * x : 1 - (-2 * x + 2) ** 3 / 2;
}
