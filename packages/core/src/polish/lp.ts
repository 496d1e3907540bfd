/**
 * Writes a model in the CPLEX LP text format that HiGHS reads. Coefficients below 1e-12 in size
 * are dropped; numbers are written in full precision.
 */
export class LpWriter {
  private readonly objective = new Map<string, number>();
  private readonly rows: string[] = [];
  private readonly bounds = new Map<string, [number, number]>();
  private readonly binaries = new Set<string>();

  /** Adds `coef · v` to the objective (minimised). */
  cost(v: string, coef: number): void {
    this.objective.set(v, (this.objective.get(v) ?? 0) + coef);
  }

  /** Σ coef·var (>= | <= | =) rhs. */
  row(terms: readonly (readonly [string, number])[], sense: ">=" | "<=" | "=", rhs: number): void {
    const merged = new Map<string, number>();
    for (const [v, c] of terms) merged.set(v, (merged.get(v) ?? 0) + c);
    const text = [...merged].filter(([, c]) => Math.abs(c) > 1e-12).map(([v, c]) => `${num(c, true)} ${v}`);
    if (text.length === 0) return;
    this.rows.push(` r${this.rows.length}: ${text.join(" ")} ${sense} ${num(rhs)}`);
  }

  bound(v: string, lo: number, hi: number): void {
    this.bounds.set(v, [lo, hi]);
  }

  binary(v: string): void {
    this.binaries.add(v);
  }

  text(): string {
    const obj = [...this.objective].filter(([, c]) => Math.abs(c) > 1e-12).map(([v, c]) => `${num(c, true)} ${v}`);
    const bounds = [...this.bounds].map(([v, [lo, hi]]) =>
      lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY
        ? ` ${v} free`
        : ` ${lo === Number.NEGATIVE_INFINITY ? "-inf" : num(lo)} <= ${v} <= ${hi === Number.POSITIVE_INFINITY ? "+inf" : num(hi)}`,
    );
    const parts = ["Minimize", ` obj: ${obj.length ? obj.join(" ") : "0 zero"}`, "Subject To", ...this.rows];
    parts.push("Bounds", ...bounds);
    if (this.binaries.size > 0) parts.push("Binary", ...[...this.binaries].map((v) => ` ${v}`));
    parts.push("End");
    return parts.join("\n");
  }
}

function num(v: number, signed = false): string {
  const s = Number.isInteger(v) ? String(v) : v.toPrecision(15).replace(/\.?0+(e|$)/, "$1");
  return signed && v >= 0 ? `+ ${s}` : signed ? `- ${s.slice(1)}` : s;
}
