// Runs `promtool test rules` on a unit-test file (and the rule files it names), written to a
// temporary folder: how the tests evaluate a query or a template as Prometheus does.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { temporaryDirectory } from "./temporary";

/** Writes test.yaml and the given rule files (name → content), runs promtool on test.yaml, asserts it passed. */
export function assertPromtoolTestPasses(test: unknown, ruleFiles: Readonly<Record<string, unknown>> = {}): void {
    const dir = temporaryDirectory("promtool-test-");
    for (const [name, content] of Object.entries(ruleFiles)) writeFileSync(join(dir, name), stringify(content));
    writeFileSync(join(dir, "test.yaml"), stringify(test));
    const result = spawnSync("promtool", ["test", "rules", join(dir, "test.yaml")], { encoding: "utf8" });
    assert.equal(result.error, undefined, "promtool is installed");
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
}
