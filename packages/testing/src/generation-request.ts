/**
 * The generation request the API tests and benches send: a small pump station (two pumps, a
 * tank) on a 120 × 80 m site, which the shipped model serves quickly.
 */
export function pumpStationRequest(count: number, seed: number) {
  return {
    schemaVersion: "1.0",
    processClass: "pump_station",
    site: { width: 120, depth: 80 },
    equipment: [
      { type: "pump", count: 2 },
      { type: "tank", count: 1 },
    ],
    count,
    seed,
  };
}
