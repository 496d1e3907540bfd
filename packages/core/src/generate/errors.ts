/** Why the pipeline refused a request (the API and CLI map the code to a 4xx / exit 2). */
export class PipelineError extends Error {
  constructor(
    readonly code: "bad_request" | "no_model" | "no_topology",
    message: string,
  ) {
    super(message);
    this.name = "PipelineError";
  }
}
