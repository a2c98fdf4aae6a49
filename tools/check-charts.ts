// Renders every stack offline, runs `helm template` on each release's pinned chart, validates the core objects,
// warns on containers without requests/limits and totals the requests. Needs the chart sources fetched
// locally (no network in CI), so it is not part of `npm test`.
//
//   npm run check:charts -- --charts <dir> [--helm <helm>] [--stack dev|staging|prod]... [--config <path>=<value>]...
//       [--keep]   (--help says it all)
//
// --config passes a config value to the render of every stack checked, e.g. --stack prod --config
// loki.mode=distributed.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { charts } from "../versions";
import { checkStack, stacks, type Options, type ReleaseResult, type StackName } from "./check-charts/checks";
import { loadModels } from "./check-charts/manifests";
import { report } from "./check-charts/report";
import { runCli, type Command, type Values } from "./cli";

export const checkChartsCommand = {
    invocation: "npm run check:charts --",
    summary:
        "Renders every stack offline, runs `helm template` on each release's pinned chart, validates the core\n" +
        "objects, warns on containers without requests/limits, totals the requests and checks the\n" +
        "NetworkPolicies' selectors against the rendered pods. Exit 1 on a failure.",
    flags: {
        charts: {
            type: "text",
            value: "<dir>",
            required: true,
            description: "a folder with one unpacked chart per chart name, at its pinned version",
        },
        helm: { type: "text", value: "<helm>", default: "helm", description: "the helm binary" },
        stack: { type: "list", value: "<stack>", choices: stacks, description: "check only this stack" },
        keep: { type: "switch", description: "keep the rendered values and manifests, and print where" },
        config: {
            type: "list",
            value: "<path>=<value>",
            description: "a config value for the render of every stack checked (e.g. loki.mode=distributed)",
        },
    },
    notes: [
        'Fill the chart folder once, per pinned chart (README "Tests" lists the commands):',
        `  ${pullCommands("<dir>")[0] ?? ""}`,
        "  …",
    ],
    examples: [
        "npm run check:charts -- --charts ~/charts",
        "npm run check:charts -- --charts ~/charts --helm /opt/helm/helm --stack dev --keep",
        "npm run check:charts -- --charts ~/charts --stack prod --config loki.mode=distributed",
    ],
} as const satisfies Command;

/** `helm pull --untar` for every chart this program installs, at its default pinned version. */
export function pullCommands(folder: string): string[] {
    return Object.values(charts).map(
        (chart) =>
            `helm pull ${chart.chart} --repo ${chart.repository} --version ${chart.version} --untar --untardir ${folder}`,
    );
}

/**
 * What must be there before anything is rendered, said in one line each: helm runs, the folder exists
 * and holds each chart. A missing chart of a stack that pins another version is caught per release.
 */
export function preflight(folder: string, helm: string): string[] {
    const problems: string[] = [];
    const version = spawnSync(helm, ["version", "--short"], { encoding: "utf8" });
    if (version.error !== undefined || version.status !== 0)
        problems.push(
            `cannot run helm as "${helm}" (${version.error?.message ?? version.stderr.trim()}): pass --helm <path>`,
        );
    if (!existsSync(folder)) {
        problems.push(`no chart folder ${folder}: fill it with \`helm pull --untar\` per chart (README "Tests")`);
    } else {
        const missing = Object.values(charts)
            .map((chart) => chart.chart)
            .filter((name) => !existsSync(join(folder, name, "Chart.yaml")));
        if (missing.length > 0)
            problems.push(
                `${folder} lacks ${missing.length} chart(s): ${missing.join(", ")}; fill it with \`helm pull --untar\` per chart (README "Tests")`,
            );
    }
    return problems;
}

async function main(values: Values<typeof checkChartsCommand>): Promise<number> {
    const selected = values.stack.length === 0 ? [...stacks] : (values.stack as StackName[]);
    const folder = resolve(values.charts);
    const problems = preflight(folder, values.helm);
    if (problems.length > 0) {
        for (const problem of problems) console.error(`check-charts: ${problem}`);
        return 2;
    }

    const work = mkdtempSync(join(tmpdir(), "check-charts-"));
    const options: Options = {
        charts: folder,
        helm: values.helm,
        work,
        models: await loadModels(),
        config: values.config,
    };
    const results: ReleaseResult[] = [];
    const renderFailures: string[] = [];
    try {
        for (const stack of selected) {
            try {
                results.push(...checkStack(stack, options));
            } catch (error) {
                renderFailures.push(`${stack}: ${(error as Error).message}`);
            }
        }
        const ok = report(results, selected, renderFailures);
        if (values.keep) console.log(`rendered values and manifests kept in ${work}`);
        return ok ? 0 : 1;
    } finally {
        if (!values.keep) rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) runCli("check-charts", checkChartsCommand, main);
