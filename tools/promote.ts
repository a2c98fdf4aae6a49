// Promotion: copies the `versions` object of one stack's file into another's,
// changing nothing else in that file: comments, `secure:` values and every other key stay as they
// were (the yaml package edits the document in place). With --check it changes nothing and fails,
// naming the chart, when the target pins a version the source does not run.
//
//   npm run promote -- --from <stack> --to <stack> [--check]   (--help says it all)

import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isMap, parseDocument, type Document } from "yaml";
import { projectName } from "../config";
import { runCli, type Command, type Values } from "./cli";

const versionsKey = `${projectName}:versions`;
const projectRoot = resolve(__dirname, "..");

export interface VersionChange {
    readonly chart: string;
    readonly from?: string;
    readonly to?: string;
}

export interface PromotionResult {
    /** What changed in the target, chart by chart (nothing for --check). */
    readonly changes: VersionChange[];
    /** --check: the charts whose target version the source does not run. */
    readonly problems: string[];
}

function stackFile(root: string, stack: string): string {
    return join(root, `Pulumi.${stack}.yaml`);
}

function readVersions(document: Document, stack: string): Map<string, string> | undefined {
    const node = document.getIn(["config", versionsKey], true);
    if (node === undefined) return undefined;
    if (!isMap(node)) throw new Error(`Pulumi.${stack}.yaml: ${versionsKey} must be an object of chart versions`);
    const versions = new Map<string, string>();
    for (const item of node.items) versions.set(String(item.key), String(item.value));
    return versions;
}

function load(root: string, stack: string): Document {
    let text: string;
    try {
        text = readFileSync(stackFile(root, stack), "utf8");
    } catch {
        throw new Error(`no stack file Pulumi.${stack}.yaml`);
    }
    const document = parseDocument(text);
    if (document.errors.length > 0)
        throw new Error(`Pulumi.${stack}.yaml: ${document.errors[0]?.message ?? "invalid YAML"}`);
    return document;
}

/** Promotes (or, with check, compares) the versions of `from` into `to`. Writes the target unless checking. */
export function promote(options: { root?: string; from: string; to: string; check: boolean }): PromotionResult {
    const root = options.root ?? projectRoot;
    if (options.from === options.to) throw new Error("--from and --to name the same stack");
    const source = load(root, options.from);
    const target = load(root, options.to);
    const sourceVersions = readVersions(source, options.from);
    if (sourceVersions === undefined) {
        throw new Error(`Pulumi.${options.from}.yaml pins no versions (${versionsKey}): there is nothing to promote`);
    }
    const targetVersions = readVersions(target, options.to) ?? new Map<string, string>();

    if (options.check) {
        const problems = [...targetVersions]
            .filter(([chart, version]) => sourceVersions.get(chart) !== version)
            .map(([chart, version]) => {
                const running = sourceVersions.get(chart);
                return `${chart}: ${options.to} pins ${version}, which ${options.from} does not run (${options.from}: ${running ?? "not pinned"})`;
            });
        return { changes: [], problems };
    }

    const changes: VersionChange[] = [];
    for (const [chart, version] of sourceVersions) {
        const current = targetVersions.get(chart);
        if (current !== version) {
            target.setIn(["config", versionsKey, chart], version);
            changes.push({ chart, from: current, to: version });
        }
    }
    for (const [chart, version] of targetVersions) {
        if (!sourceVersions.has(chart)) {
            target.deleteIn(["config", versionsKey, chart]);
            changes.push({ chart, from: version });
        }
    }
    if (changes.length > 0) writeFileSync(stackFile(root, options.to), target.toString());
    return { changes, problems: [] };
}

function describe(change: VersionChange): string {
    if (change.from === undefined) return `${change.chart}: (unpinned) -> ${change.to ?? ""}`;
    if (change.to === undefined) return `${change.chart}: ${change.from} -> (removed)`;
    return `${change.chart}: ${change.from} -> ${change.to}`;
}

export const promoteCommand = {
    invocation: "npm run promote --",
    summary:
        "Copies the `versions` object of one stack's file into another's, changing nothing else in it, and\n" +
        "prints what changed. With --check it changes nothing and fails, naming the chart, when the second\n" +
        "stack pins a version the first does not run (exit 1).",
    flags: {
        from: { type: "text", value: "<stack>", required: true, description: "the stack whose versions are copied" },
        to: { type: "text", value: "<stack>", required: true, description: "the stack whose file is updated" },
        check: { type: "switch", description: "compare only: change nothing, fail on a version `from` does not run" },
    },
    examples: ["npm run promote -- --from staging --to prod", "npm run promote -- --from staging --to prod --check"],
} as const satisfies Command;

function main(values: Values<typeof promoteCommand>): number {
    const result = promote({ from: values.from, to: values.to, check: values.check });
    if (values.check) {
        if (result.problems.length > 0) {
            console.error(`promotion check failed:\n  - ${result.problems.join("\n  - ")}`);
            return 1;
        }
        console.log(`${values.to} runs only versions that ${values.from} runs`);
        return 0;
    }
    if (result.changes.length === 0) {
        console.log(`Pulumi.${values.to}.yaml already pins the versions of ${values.from}; nothing changed`);
    } else {
        console.log(`Pulumi.${values.to}.yaml: versions promoted from ${values.from}:`);
        for (const change of result.changes) console.log(`  ${describe(change)}`);
    }
    return 0;
}

if (require.main === module) runCli("promote", promoteCommand, main);
