// promtool and amtool as the tests run them: at the cluster's majors (amtool ≥ 0.33, since Alertmanager
// 0.27 changed the matcher parser; promtool ≥ 3), a failure failing the test with the tool's own output.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { requireToolVersion } from "../../tools/tool-versions";
import { temporaryDirectory } from "./temporary";

/** The oldest version of each tool whose verdict proves anything about the cluster. */
export const toolFloors: Readonly<Record<string, string>> = { amtool: "0.33", promtool: "3.0" };

/** Runs `<name> <args…>` and returns its stdout; fails the test with its output when it fails. */
export function tool(name: string, args: string[]): string {
    const floor = toolFloors[name];
    if (floor !== undefined) requireToolVersion(name, floor);
    try {
        return execFileSync(name, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const failure = error as { stdout?: string; stderr?: string };
        assert.fail(`${name} ${args.join(" ")} failed:\n${failure.stdout ?? ""}${failure.stderr ?? ""}`);
    }
}

/** amtool's answer, trimmed. */
export const amtool = (args: string[]): string => tool("amtool", args).trim();

/** The receivers `amtool config routes test` picks for an alert with these labels ("pagerduty,slack"). */
export const routeTest = (alertmanagerFile: string, labels: string[]): string =>
    amtool(["config", "routes", "test", `--config.file=${alertmanagerFile}`, ...labels]);

/**
 * Writes a rule test's files (name → content; objects as YAML) into a fresh folder and runs
 * `promtool test rules` on `testFile`, whose rule_files name the others; returns promtool's output.
 */
export function promtoolTestRules(files: Record<string, unknown>, testFile = "test.yaml"): string {
    const directory = temporaryDirectory("promtool-test-");
    for (const [name, content] of Object.entries(files))
        writeFileSync(join(directory, name), typeof content === "string" ? content : stringify(content));
    return tool("promtool", ["test", "rules", join(directory, testFile)]);
}

/** `promtool test rules` on one unit-test object and the rule files it names (name → content); fails the test when promtool does. */
export function assertPromtoolTestPasses(test: unknown, ruleFiles: Readonly<Record<string, unknown>> = {}): void {
    promtoolTestRules({ ...ruleFiles, "test.yaml": test });
}
