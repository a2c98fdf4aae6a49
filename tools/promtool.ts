// The promtool the alert tests and benchmarks run must be of the major the cluster runs (Prometheus 3):
// Prometheus 3 changed range selection (windows open on the left) and normalises `le`, so a scenario's
// timings and values on promtool 2 are not the cluster's.

import { execFile } from "node:child_process";
import { versionOutput } from "./tool-versions";

export const promtoolHint =
    'run `eval "$(bash .ci/install-tools.sh)"` first (it puts promtool 3.5 first on PATH; macOS: `brew install prometheus`)';

/** The major.minor of the promtool on PATH. */
export function promtoolVersion(): { major: number; minor: number; text: string } {
    const output = versionOutput("promtool", `promtool is not on PATH: ${promtoolHint}`);
    const match = /version (\d+)\.(\d+)\.\S*/.exec(output);
    if (match === null) throw new Error(`cannot read promtool's version from "${output.split("\n")[0] ?? ""}"`);
    return { major: Number(match[1]), minor: Number(match[2]), text: match[0] };
}

/** Throws, saying how to get the right one, unless promtool is at least 3.0. */
export function requirePromtool3(): void {
    const version = promtoolVersion();
    if (version.major < 3)
        throw new Error(
            `promtool ${version.text} is too old: the cluster runs Prometheus 3, whose rule evaluation differs; ${promtoolHint}`,
        );
}

/**
 * Runs promtool without blocking, so that scenarios can run side by side: its exit code and output
 * (stdout, then stderr). A promtool missing from PATH is an error that says how to get it.
 */
export function runPromtool(args: readonly string[]): Promise<{ code: number; output: string }> {
    return new Promise((done, fail) => {
        execFile("promtool", args, { maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
            const failure = error as (Error & { code?: number | string }) | null;
            if (failure?.code === "ENOENT") {
                fail(new Error(`promtool is not on PATH: ${promtoolHint}`));
                return;
            }
            done({ code: typeof failure?.code === "number" ? failure.code : failure ? 1 : 0, output: stdout + stderr });
        });
    });
}
