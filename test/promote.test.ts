// `npm run promote` on fixture stack files: only the versions change, comments and secure values stay,
// the change is printed, and --check refuses a target version the source does not run.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { promote, stackFileAt } from "../tools/promote";
import { temporaryDirectory } from "./support/temporary";

const staging = `# staging: the first to run a new chart
config:
  stella-monitoring:versions:
    kubePrometheusStack: 88.6.0 # bumped by Renovate
    loki: 18.11.0
    grafana: 12.12.0
  stella-monitoring:grafana:
    url: https://grafana.staging.example.com
`;

const prod = `# prod: versions move here only by promotion
config:
  stella-monitoring:versions:
    kubePrometheusStack: 88.5.3 # promoted 2026-11-01
    loki: 18.11.0
    grafana: 12.11.1
    jaeger: 4.11.1
  stella-monitoring:alerting:
    # the team channel
    slackChannel: "#stella-alerts"
    slackWebhookUrl:
      secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=
  stella-monitoring:grafana:
    url: https://grafana.example.com
`;

function fixture(): string {
    const root = temporaryDirectory("promote-");
    writeFileSync(join(root, "Pulumi.staging.yaml"), staging);
    writeFileSync(join(root, "Pulumi.prod.yaml"), prod);
    return root;
}

describe("promote", () => {
    it("copies the versions and changes nothing else, comments and secure values included", () => {
        const root = fixture();
        const result = promote({ root, from: "staging", to: "prod", check: false });
        assert.deepEqual(result.changes, [
            { chart: "kubePrometheusStack", from: "88.5.3", to: "88.6.0" },
            { chart: "grafana", from: "12.11.1", to: "12.12.0" },
            { chart: "jaeger", from: "4.11.1" },
        ]);
        const text = readFileSync(join(root, "Pulumi.prod.yaml"), "utf8");
        const expected = prod
            .replace(
                "kubePrometheusStack: 88.5.3 # promoted 2026-11-01",
                "kubePrometheusStack: 88.6.0 # promoted 2026-11-01",
            )
            .replace("grafana: 12.11.1", "grafana: 12.12.0")
            .replace("    jaeger: 4.11.1\n", "");
        assert.equal(text, expected);
        const parsed = parse(text) as { config: Record<string, unknown> };
        assert.deepEqual(
            parsed.config["stella-monitoring:versions"],
            (parse(staging) as { config: Record<string, unknown> }).config["stella-monitoring:versions"],
        );
    });

    it("changes nothing the second time", () => {
        const root = fixture();
        promote({ root, from: "staging", to: "prod", check: false });
        const once = readFileSync(join(root, "Pulumi.prod.yaml"), "utf8");
        assert.deepEqual(promote({ root, from: "staging", to: "prod", check: false }).changes, []);
        assert.equal(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8"), once);
    });

    describe("--check: a change may set only versions staging runs", () => {
        // prod at the base revision of a pull request, lagging staging (which Renovate bumped).
        const prodAtBase = `config:
  stella-monitoring:versions:
    kubePrometheusStack: 88.4.0
    prometheusOperatorCrds: 31.0.1
    loki: 18.10.0
    grafana: 12.11.1
`;
        const stagingAhead = `config:
  stella-monitoring:versions:
    kubePrometheusStack: 88.5.3 # bumped by Renovate
    prometheusOperatorCrds: 31.0.1
    loki: 18.11.0
    grafana: 12.12.0
`;
        const check = (prodNow: string, staging = stagingAhead) => {
            const root = temporaryDirectory("promote-check-");
            writeFileSync(join(root, "Pulumi.staging.yaml"), staging);
            writeFileSync(join(root, "Pulumi.prod.yaml"), prodNow);
            const result = promote({ root, from: "staging", to: "prod", check: true, base: prodAtBase });
            assert.equal(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8"), prodNow, "--check writes nothing");
            return result.problems;
        };

        it("passes while prod lags staging (a Renovate pull request touches staging only)", () => {
            assert.deepEqual(check(prodAtBase), []);
        });

        it("fails, naming the chart, when prod is changed to a version staging does not run", () => {
            const problems = check(prodAtBase.replace("grafana: 12.11.1", "grafana: 12.13.0"));
            assert.deepEqual(problems, [
                "grafana: prod changes to 12.13.0 (was 12.11.1), which staging does not run (staging: 12.12.0); promote what staging runs instead",
            ]);
            // A chart prod did not pin before counts as changed too.
            assert.match(
                check(`${prodAtBase}    jaeger: 4.11.1\n`).join("\n"),
                /^jaeger: prod changes to 4\.11\.1 \(was not pinned\), which staging does not run \(staging: not pinned\)/,
            );
        });

        it("passes a promotion, whole or of one chart", () => {
            const root = temporaryDirectory("promote-check-");
            writeFileSync(join(root, "Pulumi.staging.yaml"), stagingAhead);
            writeFileSync(join(root, "Pulumi.prod.yaml"), prodAtBase);
            promote({ root, from: "staging", to: "prod", check: false });
            const promoted = readFileSync(join(root, "Pulumi.prod.yaml"), "utf8");
            assert.deepEqual(check(promoted), []);
            assert.deepEqual(check(prodAtBase.replace("grafana: 12.11.1", "grafana: 12.12.0")), []);
        });

        it("takes every pin of a new target file as changed", () => {
            const root = temporaryDirectory("promote-check-");
            writeFileSync(join(root, "Pulumi.staging.yaml"), stagingAhead);
            writeFileSync(join(root, "Pulumi.prod.yaml"), prodAtBase);
            const problems = promote({ root, from: "staging", to: "prod", check: true, base: null }).problems;
            assert.deepEqual(
                problems.map((problem) => problem.split(":")[0]),
                ["kubePrometheusStack", "loki", "grafana"],
            );
        });

        it("without a base, judges every pin of the target: a prod lagging staging fails, naming each chart", () => {
            const root = temporaryDirectory("promote-check-");
            writeFileSync(join(root, "Pulumi.staging.yaml"), stagingAhead);
            writeFileSync(join(root, "Pulumi.prod.yaml"), prodAtBase);
            const problems = promote({ root, from: "staging", to: "prod", check: true }).problems;
            assert.deepEqual(
                problems.map((problem) => problem.split(":")[0]),
                ["kubePrometheusStack", "loki", "grafana"],
            );
            const promoted = temporaryDirectory("promote-check-");
            writeFileSync(join(promoted, "Pulumi.staging.yaml"), stagingAhead);
            writeFileSync(join(promoted, "Pulumi.prod.yaml"), stagingAhead);
            assert.deepEqual(promote({ root: promoted, from: "staging", to: "prod", check: true }).problems, []);
        });

        it("refuses a kube-prometheus-stack and CRD pair not known to match, in either file, naming both keys", () => {
            const mismatched = prodAtBase.replace("prometheusOperatorCrds: 31.0.1", "prometheusOperatorCrds: 30.0.1");
            assert.deepEqual(check(prodAtBase, mismatched.replace("88.4.0", "88.5.3")), [
                "Pulumi.staging.yaml: versions.kubePrometheusStack 88.5.3 and versions.prometheusOperatorCrds 30.0.1 do not match: the operator v0.93.1 would read the CRDs of v0.92.1; pin prometheusOperatorCrds 31.0.1",
            ]);
            const unknownPair = check(
                prodAtBase.replace("kubePrometheusStack: 88.4.0", "kubePrometheusStack: 89.0.0"),
                stagingAhead.replace("88.5.3", "89.0.0"),
            );
            assert.equal(unknownPair.length, 2);
            for (const stack of ["staging", "prod"])
                assert.ok(
                    unknownPair.some((problem) =>
                        problem.startsWith(
                            `Pulumi.${stack}.yaml: versions.kubePrometheusStack 89.0.0 and versions.prometheusOperatorCrds 31.0.1: not a pair known`,
                        ),
                    ),
                    unknownPair.join("\n"),
                );
        });

        it("reads the base from git: a clean tree passes, an edit of prod to a version staging does not run fails", () => {
            const root = temporaryDirectory("promote-git-");
            const git = (...args: string[]) =>
                spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
                    cwd: root,
                    encoding: "utf8",
                });
            writeFileSync(join(root, "Pulumi.staging.yaml"), stagingAhead);
            writeFileSync(join(root, "Pulumi.prod.yaml"), prodAtBase);
            assert.equal(git("init", "-q").status, 0);
            assert.equal(git("add", ".").status, 0);
            assert.equal(git("commit", "-qm", "base").status, 0);
            assert.equal(stackFileAt(root, "prod", "HEAD"), prodAtBase);
            assert.equal(stackFileAt(root, "qa", "HEAD"), null);
            assert.throws(
                () => stackFileAt(root, "prod", "no-such-revision"),
                /cannot read Pulumi\.prod\.yaml at no-such-revision/,
            );
        });
    });

    it("refuses a source without versions", () => {
        const root = fixture();
        writeFileSync(join(root, "Pulumi.dev.yaml"), "config: {}\n");
        assert.throws(
            () => promote({ root, from: "dev", to: "prod", check: false }),
            /Pulumi\.dev\.yaml pins no versions/,
        );
    });

    it("passes --check on this repository: prod runs only what staging runs", () => {
        const root = resolve(__dirname, "..");
        const result = spawnSync(
            join(root, "node_modules", ".bin", "tsx"),
            ["tools/promote.ts", "--from", "staging", "--to", "prod", "--check", "--base", "HEAD"],
            {
                cwd: root,
                encoding: "utf8",
            },
        );
        assert.equal(result.status, 0, result.stderr);
    });
});
