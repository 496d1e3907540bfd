import {
  BoxGeometry,
  type BufferGeometry,
  CylinderGeometry,
  IcosahedronGeometry,
  LineBasicMaterial,
  LineDashedMaterial,
  type Material,
  MeshStandardMaterial,
  OctahedronGeometry,
  SphereGeometry,
} from "three";

/**
 * Unit shapes, each in a unit box x,y ∈ [-0.5, 0.5], z ∈ [0, 1] (z up), so an instance matrix
 * T(x, y, z) · Rz(rotation) · S(width, depth, height) puts one on its footprint.
 */
export type UnitShape = "box" | "vcyl" | "hcyl" | "dome" | "sphere" | "bowtie" | "disc";

function unitGeometry(shape: UnitShape): BufferGeometry {
  switch (shape) {
    case "box":
      return new BoxGeometry(1, 1, 1).translate(0, 0, 0.5);
    case "vcyl":
      // three's cylinders run along y: turn to z, base on z = 0.
      return new CylinderGeometry(0.5, 0.5, 1, 16, 1).rotateX(Math.PI / 2).translate(0, 0, 0.5);
    case "hcyl":
      // Along the equipment's own x, resting on z = 0.
      return new CylinderGeometry(0.5, 0.5, 1, 12, 1).rotateZ(Math.PI / 2).translate(0, 0, 0.5);
    case "dome":
      // Upper hemisphere of radius 0.5 on z = 0 (height 0.5).
      return new SphereGeometry(0.5, 12, 3, 0, Math.PI * 2, 0, Math.PI / 2).rotateX(Math.PI / 2);
    case "sphere":
      // Centred on the origin, radius 0.5: markers are placed by their centre (20 triangles).
      return new IcosahedronGeometry(0.5, 0);
    case "bowtie":
      // A valve symbol along x, centred on the origin.
      return new OctahedronGeometry(0.5, 0).scale(1, 0.7, 0.7);
    case "disc":
      // A flange-like disc across x, centred on the origin.
      return new CylinderGeometry(0.5, 0.5, 0.25, 8, 1).rotateZ(Math.PI / 2);
  }
}

/**
 * The geometries and materials of one built scene. Shared between every mesh of the scene that
 * needs them (one unit cylinder serves all tanks, columns and drums) and freed together by `dispose`.
 */
export class SceneResources {
  private readonly geometries = new Map<UnitShape, BufferGeometry>();
  private readonly owned: BufferGeometry[] = [];
  private readonly materials = new Map<string, Material>();

  geometry(shape: UnitShape): BufferGeometry {
    let g = this.geometries.get(shape);
    if (!g) {
      g = unitGeometry(shape);
      this.geometries.set(shape, g);
    }
    return g;
  }

  /** Registers a geometry built for this scene alone (merged pipes, overlay lines) for disposal. */
  own<T extends BufferGeometry>(g: T): T {
    this.owned.push(g);
    return g;
  }

  /** White PBR material (what glTF carries): the colour comes from instance or vertex colours, so one serves every mesh. */
  solid(options: { vertexColors?: boolean; transparent?: boolean; opacity?: number } = {}): MeshStandardMaterial {
    const key = `solid:${options.vertexColors ? 1 : 0}:${options.transparent ? (options.opacity ?? 1) : 1}`;
    let m = this.materials.get(key);
    if (!m) {
      m = new MeshStandardMaterial({
        color: 0xffffff,
        vertexColors: options.vertexColors ?? false,
        transparent: options.transparent ?? false,
        opacity: options.opacity ?? 1,
        depthWrite: !options.transparent,
        roughness: 0.75,
        metalness: 0.05,
      });
      this.materials.set(key, m);
    }
    return m as MeshStandardMaterial;
  }

  lines(options: {
    dashed?: boolean;
    colour?: number;
    vertexColors?: boolean;
    opacity?: number;
    depthTest?: boolean;
  }): Material {
    const key = `line:${options.dashed ? 1 : 0}:${options.colour ?? 0}:${options.vertexColors ? 1 : 0}:${options.opacity ?? 1}:${options.depthTest ?? true}`;
    let m = this.materials.get(key);
    if (!m) {
      const common = {
        color: options.colour ?? 0xffffff,
        vertexColors: options.vertexColors ?? false,
        transparent: (options.opacity ?? 1) < 1,
        opacity: options.opacity ?? 1,
        depthTest: options.depthTest ?? true,
      };
      m = options.dashed
        ? new LineDashedMaterial({ ...common, dashSize: 1, gapSize: 0.6 })
        : new LineBasicMaterial(common);
      this.materials.set(key, m);
    }
    return m;
  }

  get counts(): { geometries: number; materials: number } {
    return { geometries: this.geometries.size + this.owned.length, materials: this.materials.size };
  }

  dispose(): void {
    for (const g of this.geometries.values()) g.dispose();
    for (const g of this.owned) g.dispose();
    for (const m of this.materials.values()) m.dispose();
    this.geometries.clear();
    this.owned.length = 0;
    this.materials.clear();
  }
}
