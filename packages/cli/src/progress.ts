import cliProgress from "cli-progress";

/**
 * Progress for long work: a bar on a terminal, plain `label: i/n item` lines otherwise
 * (CI logs, pipes), on stderr so stdout stays machine-readable.
 */
export class ProgressReporter {
  private readonly bar: cliProgress.SingleBar | undefined;
  private done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {
    if (process.stderr.isTTY && total > 1) {
      this.bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {value}/{total} {item}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, 0, { item: "" });
    }
  }

  tick(item = ""): void {
    this.done += 1;
    if (this.bar) this.bar.update(this.done, { item });
    else if (this.total > 1) process.stderr.write(`${this.label}: ${this.done}/${this.total} ${item}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}
