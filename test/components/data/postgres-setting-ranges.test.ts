/** PostgreSQL numeric settings outside their range would stop the server at start: keel refuses them first. */
import { KeelValidationError, Validator } from "../../../components/core/errors";
import { validatePostgresSettings } from "../../../components/postgres-cluster/config";
import { PG_SETTING_RANGES } from "../../../components/postgres-cluster/settings-ranges";

function problems(parameters: Record<string, unknown>): readonly string[] {
  const v = new Validator("PostgresCluster", "db");
  validatePostgresSettings(v, parameters);
  try {
    v.throwIfInvalid();
    return [];
  } catch (e) {
    return (e as KeelValidationError).problems;
  }
}

describe("PostgreSQL setting ranges", () => {
  it("come from the server's own description, in each setting's unit", () => {
    expect(PG_SETTING_RANGES.get("work_mem")).toEqual([64, 2147483647]);
    expect(PG_SETTING_RANGES.get("max_connections")).toEqual([1, 262143]);
    expect(PG_SETTING_RANGES.get("shared_buffers")).toEqual([16, 1073741823]);
  });

  it("refuse a value below or above its range, bare or with a unit converted to the setting's unit", () => {
    expect(problems({ work_mem: -1, max_connections: 300000, shared_buffers: "64kB", statement_timeout: "-5s" })).toEqual([
      "parameters.work_mem is -1; expected from 64 to 2147483647 kB (PostgreSQL integer setting)",
      "parameters.max_connections is 300000; expected from 1 to 262143 (PostgreSQL integer setting)",
      'parameters.shared_buffers is "64kB"; expected from 16 to 1073741823 8kB (PostgreSQL integer setting)',
      'parameters.statement_timeout is "-5s"; expected from 0 to 2147483647 ms (PostgreSQL integer setting)',
    ]);
  });

  it("refuse a boolean for a number (PostgreSQL would not start)", () => {
    expect(problems({ work_mem: true })).toEqual(["parameters.work_mem is true; expected an integer with an optional unit (B, kB, MB, GB, TB; case-sensitive; a bare number is in kB) (PostgreSQL integer setting)"]);
  });

  it("accept values inside the range in any unit PostgreSQL takes", () => {
    expect(problems({ work_mem: "4MB", shared_buffers: "128MB", statement_timeout: "30s", random_page_cost: 1.1, max_connections: 200, checkpoint_timeout: "15min" })).toEqual([]);
  });
});
