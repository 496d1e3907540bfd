import type { Rule } from "../../types.js";

/**
 * A safety function has its own sensor: a transmitter that also feeds a control loop fails both at
 * once, which is the initiating cause and its protection together. Allowed where an analysis is recorded.
 */
export const rule: Rule = {
  id: "control.shared-transmitter",
  category: "control",
  severity: "error",
  appliesTo: "all",
  description:
    "An interlock's initiating instrument is not also a control loop's measurement, unless sharedSensorAnalysis is recorded.",
  source:
    "IEC 61511-1:2016 11.2.10 (a device used for both the basic process control system and a safety function needs an analysis showing the risk is acceptable); IEC 61511-1 9.2.5.",
  fix: "Give the interlock its own transmitter (e.g. LT-…A beside the control LT-…), or record the analysis in sharedSensorAnalysis.",
  check({ design, index }, emit) {
    const { loops: all, interlocks } = design.control;
    const { loopMeasurement, interlockCause } = index.control;
    // Loops by their measurement's tag number, in loop order.
    const { start, items } = index.groupByTag(loopMeasurement);
    for (let i = 0; i < interlocks.length; i++) {
      const cause = interlockCause[i]!;
      if (start[cause + 1] === start[cause]) continue;
      const interlock = interlocks[i]!;
      if (interlock.sharedSensorAnalysis !== undefined) continue;
      const loops = Array.from(items.subarray(start[cause]!, start[cause + 1]!), (p) => all[p]!.tag);
      emit({
        message: `Interlock ${interlock.tag} trips on ${interlock.cause.instrument}, which also measures for ${loops.join(", ")}: the safety function shares its transmitter with the control loop and no analysis is recorded (IEC 61511-1 11.2.10).`,
        tags: [interlock.tag, interlock.cause.instrument, ...loops],
      });
    }
  },
};
