// Node entry of the scene library (`@plantgan/scene/node`): everything the main entry has, for
// Node processes (the server's glTF export, tests). three's GLTFExporter reads its buffers back
// through the browser's FileReader (readAsArrayBuffer for GLB, readAsDataURL for the embedded
// buffer of glTF JSON), which Node 20 lacks; importing this entry installs the smallest stand-in
// for those two calls, once, and only where no FileReader exists. Blob is Node's own. Browsers
// import the main entry and keep theirs.
export * from "./index.js";

interface ReaderLike {
  result: ArrayBuffer | string | null;
  onloadend: (() => void) | null;
}

class NodeFileReader implements ReaderLike {
  result: ArrayBuffer | string | null = null;
  onloadend: (() => void) | null = null;

  readAsArrayBuffer(blob: Blob): void {
    void blob.arrayBuffer().then((b) => {
      this.result = b;
      this.onloadend?.();
    });
  }

  readAsDataURL(blob: Blob): void {
    void blob.arrayBuffer().then((b) => {
      this.result = `data:${blob.type || "application/octet-stream"};base64,${Buffer.from(b).toString("base64")}`;
      this.onloadend?.();
    });
  }
}

const g = globalThis as { FileReader?: unknown };
if (typeof g.FileReader === "undefined") g.FileReader = NodeFileReader;
