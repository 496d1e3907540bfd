import { sharedAjv } from "@plantgan/core/design";
import { apiSchema } from "./schemas.js";

/**
 * Training settings as schemas/api/training-settings.schema.json has them: the one place their
 * bounds and defaults live. POST /v1/models and `plantgan train` both check with `checkTrainingSettings`.
 */

interface SettingSchema {
  readonly type: "integer" | "number" | "string";
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
  readonly default?: number | string;
  readonly description?: string;
}

export const TRAINING_SETTINGS_SCHEMA = apiSchema("training-settings") as unknown as {
  readonly $id: string;
  readonly properties: Readonly<Record<string, SettingSchema>>;
};

/** Settings once checked, every default filled (learningRate and limit have none: the size's rate, all designs). */
export interface ResolvedTrainingSettings {
  readonly epochs: number;
  readonly topologyEpochs: number;
  readonly batchSize: number;
  readonly size: "small" | "tiny";
  readonly generator: "graph" | "layout";
  readonly seed: number;
  readonly nMax: number;
  readonly previews: number;
  /** Weight of the generator's layout cost term (core losses.ts layoutCost); 0 trains without it. */
  readonly costWeight: number;
  readonly learningRate?: number;
  readonly limit?: number;
}

export type TrainingSettingName = keyof ResolvedTrainingSettings;

/** The schema's defaults, by setting. */
export const TRAINING_DEFAULTS = Object.fromEntries(
  Object.entries(TRAINING_SETTINGS_SCHEMA.properties)
    .filter(([, s]) => s.default !== undefined)
    .map(([name, s]) => [name, s.default]),
) as Pick<
  ResolvedTrainingSettings,
  "epochs" | "topologyEpochs" | "batchSize" | "size" | "generator" | "seed" | "nMax" | "previews" | "costWeight"
>;

/** What a setting may be, in words from its schema: "an integer from 1 to 1000", "graph or layout". */
export function describeSetting(name: string): string {
  const s = TRAINING_SETTINGS_SCHEMA.properties[name];
  if (!s) return "not a setting";
  if (s.enum) return s.enum.join(" or ");
  const kind = s.type === "integer" ? "an integer" : "a number";
  if (s.exclusiveMinimum !== undefined) return `${kind} above ${s.exclusiveMinimum} and at most ${s.maximum}`;
  return `${kind} from ${s.minimum} to ${s.maximum}`;
}

type ErrorObject = NonNullable<ReturnType<typeof sharedAjv>["errors"]>[number];

/** One refused setting: its name ("" for the settings as a whole), what it got and what it must be. */
export interface SettingIssue {
  readonly setting: string;
  readonly value: unknown;
  readonly message: string;
}

function issueOf(error: ErrorObject, settings: Record<string, unknown>): SettingIssue {
  if (error.keyword === "additionalProperties") {
    const name = String((error.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys(TRAINING_SETTINGS_SCHEMA.properties).join(", ");
    return { setting: name, value: settings[name], message: `unknown setting ${name}; known: ${known}` };
  }
  const name = error.instancePath.split("/")[1] ?? "";
  if (!name) return { setting: "", value: settings, message: `settings ${error.message ?? "are invalid"}` };
  const value = settings[name];
  return { setting: name, value, message: `${name} must be ${describeSetting(name)}; got ${JSON.stringify(value)}` };
}

/**
 * Checks settings against the schema (every refused setting, once each) and fills the defaults.
 * The input is not changed.
 */
export function checkTrainingSettings(
  raw: unknown,
): { readonly settings: ResolvedTrainingSettings } | { readonly issues: readonly SettingIssue[] } {
  const ajv = sharedAjv();
  const validate = ajv.getSchema(TRAINING_SETTINGS_SCHEMA.$id) ?? ajv.compile(TRAINING_SETTINGS_SCHEMA);
  const settings: unknown = raw && typeof raw === "object" && !Array.isArray(raw) ? { ...raw } : raw;
  if (validate(settings)) return { settings: settings as ResolvedTrainingSettings };
  const seen = new Set<string>();
  const issues: SettingIssue[] = [];
  for (const error of validate.errors ?? []) {
    const issue = issueOf(error, (settings ?? {}) as Record<string, unknown>);
    if (seen.has(issue.setting)) continue;
    seen.add(issue.setting);
    issues.push(issue);
  }
  return { issues };
}
