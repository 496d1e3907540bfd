/**
 * ISA-5.1-2009 (Instrumentation Symbols and Identification), Table 4.1: the first letter of an
 * instrument tag names the measured or initiating variable; succeeding letters name functions
 * (I indicate, C control, T transmit, V valve, S switch...). A loop's controller, its measurement and
 * its final element carry the same first letter (LIC-101, LT-101, LV-101).
 */
export const FIRST_LETTER: Readonly<Record<string, string>> = {
  A: "analysis",
  B: "burner or combustion",
  C: "a user-defined variable",
  D: "a user-defined variable",
  E: "voltage",
  F: "flow",
  G: "a user-defined variable",
  H: "hand (manual)",
  I: "current",
  J: "power",
  K: "time",
  L: "level",
  M: "a user-defined variable",
  N: "a user-defined variable",
  O: "a user-defined variable",
  P: "pressure",
  Q: "quantity",
  R: "radiation",
  S: "speed or frequency",
  T: "temperature",
  U: "multivariable",
  V: "vibration",
  W: "weight or force",
  X: "an unclassified variable",
  Y: "event or state",
  Z: "position or dimension",
};

/** Letters that, right after the first, modify the variable (PD differential pressure, FQ flow total). */
export const VARIABLE_MODIFIERS = new Set(["D", "F", "J", "K", "Q", "S"]);

/** The function letters of a tag: what comes before the first dash ("LIC" of "LIC-101"). */
export function letters(tag: string): string {
  const dash = tag.indexOf("-");
  return dash < 0 ? tag : tag.slice(0, dash);
}

/** What an instrument measures, from its first letter ("level" for LT-101). */
export function variableOf(tag: string): string {
  return FIRST_LETTER[tag.charAt(0)] ?? "an unknown variable";
}
