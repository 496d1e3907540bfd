/**
 * The shapes every design format shares: a record per design found (accepted, or refused with its
 * issues), the report of one input, and the registry entry a format provides.
 */
import type { Design, DocumentIssue } from "../design/index.js";
import type { RenamedTag, UnmappedElement } from "./dexpi/report.js";

/** One design found in an input: accepted (schema-valid, defaults filled), or refused with every issue. */
export type DesignRecord =
  | {
      /** Where it came from, for people: `file.ndjson:3`, `body[2]`, `drawing.xml`. */
      readonly where: string;
      /** 1-based line of the input, for line-oriented formats (NDJSON). */
      readonly line?: number;
      readonly accepted: true;
      readonly design: Design;
    }
  | {
      readonly where: string;
      readonly line?: number;
      readonly accepted: false;
      /** Each with a JSON pointer into the record ("" is the whole record) and a sentence. */
      readonly issues: readonly DocumentIssue[];
    };

export type AcceptedRecord = Extract<DesignRecord, { accepted: true }>;
export type RefusedRecord = Extract<DesignRecord, { accepted: false }>;

/** What a format made of one input text, records produced lazily (a large batch is never held whole). */
export interface FormatReading {
  readonly records: Iterable<DesignRecord>;
  /** Source elements that did not make it into a design, with the reason (DEXPI). */
  readonly unmapped: readonly UnmappedElement[];
  /** Tags rewritten to fit the contract's tag pattern (DEXPI). */
  readonly renamedTags: readonly RenamedTag[];
  /** What a user should know before trusting the designs (an empty DEXPI drawing, for one). Absent: none. */
  readonly warnings?: readonly string[];
}

export interface ReadOptions {
  /** Names the input in each record's `where`; a label only, never a path that is opened. */
  readonly label: string;
  /** Design id, for formats whose documents carry none the contract accepts (DEXPI). */
  readonly id?: string;
  /** Records already consumed by an earlier, interrupted read: they are skipped, not parsed. */
  readonly skip?: number;
}

/** One entry of the format registry: how to recognise a format and how to read it. */
export interface DesignFormat {
  /** Stable id, also the `source` a stored design records: "json", "ndjson", "dexpi". */
  readonly id: string;
  /** For people, in messages: "DEXPI 1.x XML". */
  readonly title: string;
  /** Lower-case media types without parameters. */
  readonly mediaTypes: readonly string[];
  /** Lower-case file extensions with their dot. */
  readonly extensions: readonly string[];
  /** Whether the start of a text (a few KiB at most) looks like this format. */
  sniff(head: string): boolean;
  /** Number of records in a text, cheaply (no design is checked): for progress totals and limits. */
  count(text: string): number;
  /** Reads the designs of a text. Never throws on what the text holds. */
  read(text: string, options: ReadOptions): FormatReading;
}

/** The report of one input: which format read it, every record in input order, and what was not mapped. */
export interface IngestReport {
  /** The input's label (a file name, "body"). */
  readonly name: string;
  /** Id of the format that read it; undefined when none fits (then one refused record says why). */
  readonly format: string | undefined;
  readonly records: readonly DesignRecord[];
  readonly unmapped: readonly UnmappedElement[];
  readonly renamedTags: readonly RenamedTag[];
  readonly warnings?: readonly string[];
}
