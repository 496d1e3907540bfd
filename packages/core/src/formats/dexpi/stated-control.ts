/**
 * Control a DEXPI 1.x file states, read from the XML text with regular expressions, independently
 * of the importer's parser and signal graph: the yardstick the control tests and the collection
 * bench hold the imported loops and interlocks against.
 *
 * Letters: a function's TagName letters, completed by the drawn label of the item its sensor is
 * located in when that label shows the same number, begins with them and does not end in E or V
 * (AVEVA writes "L-01" on the function and "LI-01" on the bubble).
 *
 * Trips: a function (ProcessInstrumentationFunction, ProcessInstrument, InstrumentComponent) whose
 * letters (as above, or its TagName's completed by its category, modifier and function letters when
 * those say more, as the importer reads them) hold S or Z after the measured variable and end in the
 * condition (PSHH 101 → HH),
 * or a COMOS signal part: an Equipment whose FullLabel lies directly under a function's, labelled
 * S or Z, an optional A, then the condition (ZHH, SAL). A trip has an effect when its signal lines
 * (InformationFlow, SignalLine), followed from start to end through any functions, reach a tagged
 * valve, an actuator on one, or the driver of a machine. DEXPI 1.3 (P&ID Toolbox) may instead write
 * the condition on the signal lines into a switch (S or Z after the first letter, read from its
 * TagName or its category and function letters), as their PortStatusSpecialization
 * (StatusHighHighPort → HH): one trip per switch and condition, with the switch's ID. AutoCAD P&ID
 * writes it on the sending function's limit attributes instead (HH="ZHH": S or Z, an optional A,
 * the attribute's own condition); those count the same way.
 */

/** Letters of each function whose drawn label completes its TagName's, by ID ("L-01" drawn as LI-01 → LI). */
export function drawnLetters(text: string): Map<string, string> {
  const nodes = elements(text);
  const byId = new Map<string, Node>();
  for (const n of nodes) if (n.attrs.ID && !byId.has(n.attrs.ID)) byId.set(n.attrs.ID, n);
  const lettersOf = (tag: string) => /^\s*([A-Za-z]+)/.exec(tag)?.[1]?.toUpperCase() ?? "";
  const numberOf = (tag: string) => Number(/[0-9]+(?:\.[0-9]+)?/.exec(tag)?.[0]);
  const out = new Map<string, string>();
  for (const fn of nodes) {
    if (fn.name !== "ProcessInstrumentationFunction" || !fn.attrs.ID) continue;
    const own = fn.attrs.TagName ?? "";
    for (const sensor of nodes.filter((n) => n.parent === fn && n.name === "ProcessSignalGeneratingFunction")) {
      for (const a of sensor.associations.filter((x) => x.type === "is located in")) {
        const label = byId.get(a.item)?.attrs.TagName ?? "";
        const drawn = lettersOf(label);
        const written = lettersOf(own);
        const completes = written !== "" && drawn.length > written.length && drawn.startsWith(written);
        if (completes && !/[EV]$/.test(drawn) && numberOf(label) === numberOf(own)) out.set(fn.attrs.ID, drawn);
      }
    }
  }
  return out;
}

export interface StatedTrip {
  /** ID of the function or the signal part. */
  readonly id: string;
  /** A function's own letters state it, a COMOS signal part does, or the signal lines into a switch do. */
  readonly by: "letters" | "signal part" | "signal lines";
  readonly condition: "LL" | "L" | "H" | "HH";
  readonly effect: boolean;
}

interface Node {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly parent: Node | undefined;
  readonly generic: Record<string, string>;
  readonly associations: { type: string; item: string }[];
  readonly connections: { from: string | undefined; to: string | undefined }[];
}

const FUNCTIONS = new Set(["ProcessInstrumentationFunction", "ProcessInstrument", "InstrumentComponent"]);

export function statedTrips(text: string): StatedTrip[] {
  const nodes = elements(text);
  const byId = new Map<string, Node>();
  for (const n of nodes) if (n.attrs.ID && !byId.has(n.attrs.ID)) byId.set(n.attrs.ID, n);
  const drawn = drawnLetters(text);
  const edges = signalEdges(nodes, byId);
  const labels = new Set(
    nodes.filter((n) => n.name === "ProcessInstrumentationFunction").flatMap((n) => n.generic.FullLabel ?? []),
  );
  const out: StatedTrip[] = [];
  for (const n of nodes) {
    const id = n.attrs.ID;
    if (!id) continue;
    let condition: string | undefined;
    const by = FUNCTIONS.has(n.name) ? "letters" : "signal part";
    if (FUNCTIONS.has(n.name)) {
      const letters = drawn.get(id) ?? functionLetters(n);
      condition = /[SZ][A-Z]*?(HH|LL|H|L)$/.exec(letters.slice(1))?.[1];
    } else if (n.name === "Equipment") {
      const full = n.generic.FullLabel ?? "";
      const under = full.lastIndexOf(".") > 0 && labels.has(full.slice(0, full.lastIndexOf(".")));
      const label = (n.generic.Label ?? n.generic.Name ?? "").trim().toUpperCase();
      condition = under ? /^[SZ]A?(HH|LL|H|L)$/.exec(label)?.[1] : undefined;
    }
    if (condition === undefined) continue;
    out.push({ id, by, condition: condition as StatedTrip["condition"], effect: reachesFinalElement(id, edges, byId) });
  }
  for (const [id, conditions] of portStatusTrips(nodes, byId)) {
    for (const condition of conditions)
      out.push({ id, by: "signal lines", condition, effect: reachesFinalElement(id, edges, byId) });
  }
  return out;
}

const PORT_STATUS: Readonly<Record<string, StatedTrip["condition"]>> = {
  StatusHighHighPort: "HH",
  StatusHighPort: "H",
  StatusLowPort: "L",
  StatusLowLowPort: "LL",
};

const LIMITS: readonly StatedTrip["condition"][] = ["LL", "L", "H", "HH"];

/** Switches whose letters state no condition, with the conditions the signal lines into them state. */
function portStatusTrips(
  nodes: readonly Node[],
  byId: ReadonlyMap<string, Node>,
): Map<string, StatedTrip["condition"][]> {
  const lettersOf = functionLetters;
  const out = new Map<string, StatedTrip["condition"][]>();
  for (const flow of nodes) {
    if (flow.name !== "InformationFlow" && flow.name !== "SignalLine") continue;
    const endId = flow.associations.find((a) => a.type === "has logical end")?.item ?? flow.connections[0]?.to;
    const startId = flow.associations.find((a) => a.type === "has logical start")?.item ?? flow.connections[0]?.from;
    const start = startId ? byId.get(startId) : undefined;
    const port = PORT_STATUS[(flow.generic.PortStatusSpecialization ?? "").trim()];
    // AutoCAD P&ID: the sending function's limit attributes, a trip where S or Z holds that condition (HH="ZHH").
    const limits = start
      ? LIMITS.filter((c) => new RegExp(`^\\s*[SZ]A?${c}\\s*$`, "i").test(start.generic[c] ?? ""))
      : [];
    const conditions = [...(port ? [port] : []), ...limits];
    const end = endId ? byId.get(endId) : undefined;
    if (conditions.length === 0 || !end?.attrs.ID || !FUNCTIONS.has(end.name)) continue;
    const letters = lettersOf(end);
    if (!/[SZ]/.test(letters.slice(1)) || /[SZ][A-Z]*?(HH|LL|H|L)$/.test(letters.slice(1))) continue;
    const list = out.get(end.attrs.ID) ?? [];
    for (const condition of conditions) if (!list.includes(condition)) list.push(condition);
    out.set(end.attrs.ID, list);
  }
  const order = ["LL", "L", "H", "HH"];
  for (const list of out.values()) list.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return out;
}

/**
 * A function's letters: its TagName's, unless its category, modifier and function letters say more
 * (TagName "L470103" with L + ICSA → LICSA; P&ID Toolbox writes no TagName, only the attributes) or
 * other letters (TagName "PI_4750.03" with T + ICSA → TICSA); where the TagName says more than the
 * attributes (PICSA with category P alone), or the same variable with other letters (PDIC on P +
 * IC), it stands.
 */
function functionLetters(n: Node): string {
  const written = /^\s*([A-Za-z]+)/.exec(n.attrs.TagName ?? "")?.[1]?.toUpperCase() ?? "";
  const attributed = [
    n.generic.ProcessInstrumentationFunctionCategoryAssignmentClass,
    n.generic.ProcessInstrumentationFunctionModifierAssignmentClass,
    n.generic.ProcessInstrumentationFunctionsAssignmentClass,
  ]
    .join("")
    .toUpperCase()
    .replace(/[^A-Z]/g, "");
  const fromAttributes =
    attributed !== "" &&
    !written.startsWith(attributed) &&
    (attributed.startsWith(written) || written[0] !== attributed[0]);
  return fromAttributes ? attributed : written;
}

/** Every element of the model (comments and the ShapeCatalogue left out) with its attributes, generic attributes, associations and connections. */
function elements(text: string): Node[] {
  const model = text.replace(/<!--[\s\S]*?-->/g, "").replace(/<ShapeCatalogue[\s>][\s\S]*?<\/ShapeCatalogue>/g, "");
  const nodes: Node[] = [];
  const stack: Node[] = [];
  for (const m of model.matchAll(/<(\/?)([A-Za-z_][\w.-]*)([^>]*?)(\/?)>/g)) {
    if (m[1]) {
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of m[3]!.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    const parent = stack.at(-1);
    const node: Node = { name: m[2]!, attrs, parent, generic: {}, associations: [], connections: [] };
    if (node.name === "GenericAttribute" && parent?.parent && attrs.Name && attrs.Value !== undefined)
      if (attrs.Value.trim() !== "") parent.parent.generic[attrs.Name] ??= attrs.Value;
    if (node.name === "Association" && parent && attrs.Type)
      parent.associations.push({ type: attrs.Type, item: attrs.ItemID ?? "" });
    if (node.name === "Connection" && parent) parent.connections.push({ from: attrs.FromID, to: attrs.ToID });
    nodes.push(node);
    if (!m[4]) stack.push(node);
  }
  return nodes;
}

/** Signal lines as directed edges, start → end: their logical start and end, else their Connection. */
function signalEdges(nodes: readonly Node[], byId: ReadonlyMap<string, Node>): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  const add = (a: string | undefined, b: string | undefined) => {
    if (a && b) edges.set(a, [...(edges.get(a) ?? []), b]);
  };
  const pointing = (flowId: string, type: string) =>
    nodes.filter((n) => n.attrs.ID && n.associations.some((a) => a.type === type && a.item === flowId));
  for (const n of nodes) {
    if (n.name !== "InformationFlow" && n.name !== "SignalLine") continue;
    const id = n.attrs.ID ?? "";
    const start =
      n.associations.find((a) => a.type === "has logical start")?.item ??
      pointing(id, "is logical start of")[0]?.attrs.ID ??
      n.connections[0]?.from;
    const end =
      n.associations.find((a) => a.type === "has logical end")?.item ??
      pointing(id, "is logical end of")[0]?.attrs.ID ??
      n.connections[0]?.to;
    add(start, end);
    // A signal from a sensor or actuating function written inside a function is the function's.
    const owner = start ? functionAround(byId.get(start)) : undefined;
    if (owner?.attrs.ID && owner.attrs.ID !== start) add(owner.attrs.ID, end);
  }
  // A function's own actuating functions carry its signal on.
  for (const n of nodes) {
    const owner = n.name === "ActuatingFunction" ? functionAround(n) : undefined;
    if (owner?.attrs.ID && n.attrs.ID) add(owner.attrs.ID, n.attrs.ID);
  }
  return edges;
}

function functionAround(n: Node | undefined): Node | undefined {
  for (let p = n; p; p = p.parent) if (FUNCTIONS.has(p.name)) return p;
  return undefined;
}

/** Whether the signal from `id`, followed through functions, reaches a final element. */
function reachesFinalElement(
  id: string,
  edges: ReadonlyMap<string, string[]>,
  byId: ReadonlyMap<string, Node>,
): boolean {
  const seen = new Set([id]);
  const queue = [id];
  for (let i = 0; i < queue.length; i++) {
    for (const next of edges.get(queue[i]!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      const n = byId.get(next);
      if (!n) continue;
      if (isFinalElement(n, byId)) return true;
      if (FUNCTIONS.has(n.name) || n.name === "ActuatingFunction") queue.push(next);
    }
  }
  return false;
}

const VALVE = /valve/i;

/** A tagged valve (TagName, or the number DEXPI 1.3 writes), something inside one (its actuator), an actuation referring to one, or a machine's driver. */
function isFinalElement(n: Node, byId: ReadonlyMap<string, Node>): boolean {
  const taggedValve = (x: Node | undefined) =>
    x !== undefined &&
    (x.name === "PipingComponent" || x.name === "ProcessInstrument" || x.name === "ProcessInstrumentationFunction") &&
    VALVE.test(x.attrs.ComponentClass ?? "") &&
    ((x.attrs.TagName ?? "").trim() !== "" || (x.generic.PipingComponentNumberAssignmentClass ?? "").trim() !== "");
  for (let p: Node | undefined = n; p; p = p.parent) if (taggedValve(p)) return true;
  if (
    n.name === "Equipment" &&
    n.parent?.name === "Equipment" &&
    /motor|driv|turbine|engine/i.test(n.attrs.ComponentClass ?? "")
  )
    return true;
  const systems =
    n.name === "ActuatingFunction"
      ? n.associations.filter((a) => a.type === "is fulfilled by").flatMap((a) => byId.get(a.item) ?? [])
      : [];
  return systems.some((s) =>
    [...byId.values()].some(
      (c) => c.parent === s && c.associations.some((a) => a.type === "refers to" && taggedValve(byId.get(a.item))),
    ),
  );
}
