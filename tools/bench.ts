// Evaluation speed: every `pulumi preview` starts by running this program, so time to registered
// matters. Prints the median wall time of (a) the offline render of each stack, which runs the whole
// program under mocks, and (b) loading the program's modules the way `pulumi up` does: node with
// Pulumi.yaml's runtime.options.nodeargs (tsx's CommonJS hook; typescript: false).
//
//   npm run bench [-- --runs 5]   (--help says it all)

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli, type Command, type Values } from "./cli";
import { pulumiNodeArgs } from "./loader";
import { placeholderSecretFlags, renderArguments } from "./render-process";

const root = resolve(__dirname, "..");
/** The node arguments `pulumi up` starts the program with. */
const loaderArgs = pulumiNodeArgs(root);

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

/** Progress on stderr, so that stdout stays the report. */
function progress(text: string): void {
    process.stderr.write(`bench: ${text}\n`);
}

function measure(
    label: string,
    runs: number,
    command: string,
    args: string[],
    env?: Record<string, string>,
): { label: string; median: number; runs: number[] } {
    progress(`${label}: warming up`);
    timeOnce(command, args, env); // warm the file cache
    const samples = Array.from({ length: runs }, (_, index) => {
        const elapsed = timeOnce(command, args, env);
        progress(`${label}: run ${index + 1}/${runs} ${(elapsed / 1000).toFixed(2)} s`);
        return elapsed;
    });
    return { label, median: median(samples), runs: samples };
}

export const benchCommand = {
    invocation: "npm run bench --",
    summary:
        "Measures evaluation speed: the median wall time of the offline render of dev, staging and prod, and\n" +
        "of loading the program as `pulumi up` does (node with Pulumi.yaml's nodeargs). Progress goes to stderr, the report\n" +
        "to stdout. Exit 1 when the prod render misses its 3 s target.",
    flags: {
        runs: { type: "integer", value: "<n>", default: 5, min: 1, description: "timed runs per measurement" },
    },
    examples: ["npm run bench", "npm run bench -- --runs 3"],
} as const satisfies Command;

function main(values: Values<typeof benchCommand>): number {
    const runs = values.runs;
    const out = mkdtempSync(join(tmpdir(), "bench-"));
    try {
        return report(runs, [
            ...["dev", "staging", "prod"].map((stack) =>
                measure(`render ${stack}`, runs, process.execPath, [
                    "--import",
                    "tsx",
                    ...renderArguments(stack, out, placeholderSecretFlags(stack)),
                ]),
            ),
            measure(`load program: node ${loaderArgs.join(" ")} (pulumi up)`, runs, process.execPath, [
                ...loaderArgs,
                "-e",
                'require("./stack")',
            ]),
        ]);
    } finally {
        rmSync(out, { recursive: true, force: true });
    }
}

function report(runs: number, results: { label: string; median: number; runs: number[] }[]): number {
    console.log(`median wall time of ${runs} runs (node ${process.version}, ${process.platform}):`);
    for (const result of results) {
        console.log(
            `  ${result.label.padEnd(52)} ${(result.median / 1000).toFixed(2)} s   runs: ${result.runs.map((ms) => (ms / 1000).toFixed(2)).join(" ")}`,
        );
    }
    const prod = results.find((result) => result.label === "render prod");
    const target = 3000;
    const met = (prod?.median ?? Infinity) <= target;
    console.log(
        `prod render: ${((prod?.median ?? 0) / 1000).toFixed(2)} s median, target ${target / 1000} s: ${met ? "met" : "MISSED"}`,
    );
    return met ? 0 : 1;
}

if (require.main === module) runCli("bench", benchCommand, main);
