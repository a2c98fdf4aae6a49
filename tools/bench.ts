// Evaluation speed: every `pulumi preview` starts by running this program, so time to registered
// matters. Prints the median wall time of (a) the offline render of each stack, which runs the whole
// program under mocks, and (b) loading the program's modules the way `pulumi up` does: ts-node in
// transpile-only mode (tsconfig.json's noCheck), next to ts-node with type-checking for comparison.
//
//   npm run bench [-- --runs 5]

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { overrideFlags, placeholderSecrets } from "./offline-config";

const root = resolve(__dirname, "..");
const secrets = overrideFlags(placeholderSecrets);

function timeOnce(command: string, args: string[], env: Record<string, string> = {}): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
    return elapsed;
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
        ? (sorted[middle] as number)
        : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function measure(
    label: string,
    runs: number,
    command: string,
    args: string[],
    env?: Record<string, string>,
): { label: string; median: number; runs: number[] } {
    timeOnce(command, args, env); // warm the file cache
    const samples = Array.from({ length: runs }, () => timeOnce(command, args, env));
    return { label, median: median(samples), runs: samples };
}

function main(): void {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } }, strict: true });
    const runs = Number(values.runs);
    const out = mkdtempSync(join(tmpdir(), "bench-"));
    const results = [
        ...["dev", "staging", "prod"].map((stack) =>
            measure(`render ${stack}`, runs, process.execPath, [
                "--import",
                "tsx",
                "tools/render.ts",
                "--stack",
                stack,
                "--out",
                out,
                ...(stack === "dev" ? [] : secrets),
            ]),
        ),
        measure(
            "load program: ts-node transpile-only (pulumi up)",
            runs,
            process.execPath,
            ["-r", "ts-node/register", "-e", 'require("./stack")'],
            {
                TS_NODE_TRANSPILE_ONLY: "true",
            },
        ),
        measure(
            "load program: ts-node type-checking (before)",
            runs,
            process.execPath,
            ["-r", "ts-node/register", "-e", 'require("./stack")'],
            {
                TS_NODE_TRANSPILE_ONLY: "false",
            },
        ),
        measure("load program: tsx", runs, process.execPath, ["--import", "tsx", "-e", 'require("./stack")']),
    ];
    console.log(`median wall time of ${runs} runs (node ${process.version}, ${process.platform}):`);
    for (const result of results) {
        console.log(
            `  ${result.label.padEnd(52)} ${(result.median / 1000).toFixed(2)} s   runs: ${result.runs.map((ms) => (ms / 1000).toFixed(2)).join(" ")}`,
        );
    }
    const prod = results.find((result) => result.label === "render prod");
    const target = 3000;
    console.log(
        `prod render: ${((prod?.median ?? 0) / 1000).toFixed(2)} s median, target ${target / 1000} s: ${(prod?.median ?? Infinity) <= target ? "met" : "MISSED"}`,
    );
}

main();
