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
  check({ design }, emit) {
    const loopsByMeasurement = new Map<string, string[]>();
    for (const loop of design.control.loops) {
      if (loop.measurement === undefined) continue;
      const list = loopsByMeasurement.get(loop.measurement);
      if (list) list.push(loop.tag);
      else loopsByMeasurement.set(loop.measurement, [loop.tag]);
    }
    for (const interlock of design.control.interlocks) {
      if (interlock.sharedSensorAnalysis !== undefined) continue;
      const loops = loopsByMeasurement.get(interlock.cause.instrument);
      if (!loops) continue;
      emit({
        message: `Interlock ${interlock.tag} trips on ${interlock.cause.instrument}, which also measures for ${loops.join(", ")}: the safety function shares its transmitter with the control loop and no analysis is recorded (IEC 61511-1 11.2.10).`,
        tags: [interlock.tag, interlock.cause.instrument, ...loops],
      });
    }
  },
};
