// Promotion: copies the `versions` object of one stack's file into another's, changing nothing else in
// that file: comments, `secure:` values and every other key stay as they were (the yaml package edits
// the document in place).
//
// With --check it changes nothing and fails, naming the chart, when the target pins a version the source
// does not run. With --check --base <revision> (the pull-request guard) only the pins the target changed
// since that revision count: each must be one the source runs, while a target that lags the source is
// normal (Renovate bumps dev and staging first) and passes. Both files must also pin
// a kube-prometheus-stack and prometheus-operator-crds pair known to carry the same operator.
//
//   npm run promote -- --from <stack> --to <stack> [--check [--base <git revision>]]   (--help says it all)

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isMap, parseDocument, type Document } from "yaml";
import { projectName } from "../config";
import { defaultVersions, operatorPairProblem } from "../versions";
import { runCli, UsageError, type Command, type Values } from "./cli";

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
    /** --check: the charts the target changed to a version the source does not run, and unknown operator pairs. */
    readonly problems: string[];
}

/** The target's stack file at the base revision: its text, or null when it did not exist there. */
export type BaseFile = string | null;

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
    return parse(text, stack);
}

function parse(text: string, stack: string): Document {
    const document = parseDocument(text);
    if (document.errors.length > 0)
        throw new Error(`Pulumi.${stack}.yaml: ${document.errors[0]?.message ?? "invalid YAML"}`);
    return document;
}

/** The pair check of one stack file's pins (an unpinned chart runs its default version). */
function pairProblems(versions: Map<string, string>, stack: string): string[] {
    const problem = operatorPairProblem(
        versions.get("kubePrometheusStack") ?? defaultVersions.kubePrometheusStack,
        versions.get("prometheusOperatorCrds") ?? defaultVersions.prometheusOperatorCrds,
    );
    return problem === undefined ? [] : [`Pulumi.${stack}.yaml: ${problem}`];
}

/**
 * Promotes (or, with check, guards) the versions of `from` into `to`. Writes the target unless checking.
 * `base` (for check) is the target's file at the base revision: only the pins changed since then count.
 * Unset, every pin of the target counts (it must be a version the source runs).
 */
export function promote(options: {
    root?: string;
    from: string;
    to: string;
    check: boolean;
    base?: BaseFile;
}): PromotionResult {
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
        const baseVersions =
            options.base === undefined || options.base === null
                ? new Map<string, string>()
                : (readVersions(parse(options.base, options.to), options.to) ?? new Map<string, string>());
        const problems = [...targetVersions]
            // Only what this change sets: a pin left as it was may lag the source.
            .filter(([chart, version]) => baseVersions.get(chart) !== version)
            .filter(([chart, version]) => sourceVersions.get(chart) !== version)
            .map(([chart, version]) => {
                const running = sourceVersions.get(chart);
                const was = baseVersions.get(chart);
                return `${chart}: ${options.to} changes to ${version} (was ${was ?? "not pinned"}), which ${options.from} does not run (${options.from}: ${running ?? "not pinned"}); promote what ${options.from} runs instead`;
            });
        problems.push(...pairProblems(sourceVersions, options.from), ...pairProblems(targetVersions, options.to));
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

/** The stack file at a git revision, or null when that revision has no such file. */
export function stackFileAt(root: string, stack: string, revision: string): BaseFile {
    try {
        return execFileSync("git", ["show", `${revision}:Pulumi.${stack}.yaml`], {
            cwd: root,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        if (/does not exist in|exists on disk, but not in/.test(stderr)) return null;
        throw new Error(
            `cannot read Pulumi.${stack}.yaml at ${revision}: ${stderr.trim() || (error as Error).message}`,
        );
    }
}

export const promoteCommand = {
    invocation: "npm run promote --",
    summary:
        "Copies the `versions` object of one stack's file into another's, changing nothing else in it, and\n" +
        "prints what changed. With --check it changes nothing and fails (exit 1), naming the chart, when the\n" +
        "second stack pins a version the first does not run; with --base, only the pins the second stack\n" +
        "changed since that git revision count (the pull-request guard: lagging is fine). Both files must\n" +
        "pin a kube-prometheus-stack and prometheus-operator-crds pair known to carry the same operator.",
    flags: {
        from: { type: "text", value: "<stack>", required: true, description: "the stack whose versions are copied" },
        to: { type: "text", value: "<stack>", required: true, description: "the stack whose file is updated" },
        check: { type: "switch", description: "compare only: change nothing, fail on a version `from` does not run" },
        base: {
            type: "text",
            value: "<git revision>",
            description: "with --check: judge only the pins `to` changed since this revision",
        },
    },
    examples: [
        "npm run promote -- --from staging --to prod",
        "npm run promote -- --from staging --to prod --check",
        "npm run promote -- --from staging --to prod --check --base origin/main",
    ],
} as const satisfies Command;

function main(values: Values<typeof promoteCommand>): number {
    if (values.base !== undefined && !values.check) throw new UsageError("--base goes with --check");
    if (values.check) {
        const base = values.base;
        const result = promote({
            from: values.from,
            to: values.to,
            check: true,
            base: base === undefined ? undefined : stackFileAt(projectRoot, values.to, base),
        });
        const against = base === undefined ? "" : ` (against ${values.to} at ${base})`;
        if (result.problems.length > 0) {
            console.error(`promotion check failed${against}:\n  - ${result.problems.join("\n  - ")}`);
            return 1;
        }
        console.log(
            base === undefined
                ? `${values.to} runs only versions that ${values.from} runs; the operator pairs are known`
                : `every version ${values.to} changes since ${base} is one ${values.from} runs; the operator pairs are known`,
        );
        return 0;
    }
    const result = promote({ from: values.from, to: values.to, check: false });
    if (result.changes.length === 0) {
        console.log(`Pulumi.${values.to}.yaml already pins the versions of ${values.from}; nothing changed`);
    } else {
        console.log(`Pulumi.${values.to}.yaml: versions promoted from ${values.from}:`);
        for (const change of result.changes) console.log(`  ${describe(change)}`);
    }
    return 0;
}

if (require.main === module) runCli("promote", promoteCommand, main);
