/**
 * Which topology source made a candidate (the pipeline records it as the design's
 * metadata.topologySource): the card names it, so a reviewer knows whether the P&ID is the learned
 * generator's, the designer baseline's or the request's own.
 */
export interface TopologySourceLabel {
  readonly text: string;
  readonly title: string;
}

const TITLES: Readonly<Record<string, string>> = {
  learned: "The P&ID was drawn by the model's learned topology generator.",
  designer: "The P&ID came from the procedural designer (the baseline), not from the model.",
  request: "The P&ID is the request's own (topology mode); the model placed it.",
};

/** The label of a design's recorded topology source, or undefined when it records none. */
export function topologySourceLabel(
  metadata: Readonly<Record<string, unknown>> | undefined,
): TopologySourceLabel | undefined {
  const source = metadata?.topologySource;
  if (typeof source !== "string" || source === "") return undefined;
  return { text: `P&ID: ${source}`, title: TITLES[source] ?? `The P&ID came from the topology source "${source}".` };
}
