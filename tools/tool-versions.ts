// The tests and benchmarks prove the alerts on the majors the cluster runs (kube-prometheus-stack 88.5.3:
// Prometheus v3.14, Alertmanager v0.34): an older promtool or amtool parses and evaluates differently
// (range selection, matcher parser), so its green would prove nothing. Whatever runs a tool calls this
// first and refuses, saying how to get the right one.

import { execFileSync } from "node:child_process";

const howToInstall =
    "install the tests' tools with: eval \"$(bash .ci/install-tools.sh)\" (Linux; Debian testing's builds into a folder of the project's own), or on macOS: brew install prometheus alertmanager";

/** "0.33.1" → [0, 33, 1]. */
function parseVersion(text: string): number[] {
    return text.split(".").map((part) => Number.parseInt(part, 10));
}

function atLeast(have: number[], floor: number[]): boolean {
    for (let index = 0; index < floor.length; index++) {
        const a = have[index] ?? 0;
        const b = floor[index] ?? 0;
        if (a !== b) return a > b;
    }
    return true;
}

/**
 * What `<tool> --version` prints (on stdout or stderr, whatever its exit status); `missing` is the
 * error when the tool is not on PATH.
 */
export function versionOutput(tool: string, missing: string): string {
    try {
        return execFileSync(tool, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const failure = error as { code?: string; stdout?: string; stderr?: string };
        if (failure.code === "ENOENT") throw new Error(missing);
        return `${failure.stdout ?? ""}${failure.stderr ?? ""}`;
    }
}

const checked = new Map<string, string>();

/**
 * The version `<tool> --version` reports ("amtool, version 0.33.1 (branch: …)"), or an error that
 * says how to install the right one when the tool is missing or older than `floor`.
 */
export function requireToolVersion(tool: string, floor: string): string {
    const known = checked.get(`${tool}@${floor}`);
    if (known !== undefined) return known;
    const output = versionOutput(tool, `${tool} is not installed; ${howToInstall}`);
    const version = /version (\d+\.\d+(?:\.\d+)?)/.exec(output)?.[1];
    if (version === undefined)
        throw new Error(`${tool} --version printed no version (${output.trim()}); ${howToInstall}`);
    if (!atLeast(parseVersion(version), parseVersion(floor))) {
        throw new Error(
            `${tool} is ${version}; these tests need ${floor} or later (the cluster runs newer), ${howToInstall}`,
        );
    }
    checked.set(`${tool}@${floor}`, version);
    return version;
}
