// `npm run render` as CI and reviewers call it: the files of README "Offline render", and bad config refused
// with its key named and nothing registered.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const temporary: string[] = [];
after(() => {
    for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
});

function render(...args: string[]) {
    const out = mkdtempSync(join(tmpdir(), "render-cli-"));
    temporary.push(out);
    return renderInto(out, ...args);
}

function renderInto(out: string, ...args: string[]) {
    const result = spawnSync(tsx, ["tools/render.ts", "--out", out, ...args], { cwd: root, encoding: "utf8" });
    return { ...result, out };
}

describe("npm run render", () => {
    it("writes exactly the contract's files for dev", () => {
        const result = render("--stack", "dev");
        assert.equal(result.status, 0, result.stderr);
        const directory = join(result.out, "dev");
        assert.deepEqual(readdirSync(directory).sort(), [
            ".stella-render",
            "alertmanager.yaml",
            "dashboards",
            "datasources.json",
            "helm",
            "outputs.json",
            "prometheus-rules.yaml",
            "resources.json",
        ]);
        assert.deepEqual(readdirSync(join(directory, "helm")).sort(), [
            "alloy.json",
            "blackbox-exporter.json",
            "grafana.json",
            "jaeger.json",
            "kube-prometheus-stack-crds.json",
            "kube-prometheus-stack.json",
            "loki.json",
        ]);
        assert.deepEqual(readdirSync(join(directory, "dashboards")).sort(), [
            "stella-agents.json",
            "stella-infrastructure.json",
            "stella-logs-traces.json",
            "stella-overview.json",
            "stella-slo.json",
            "stella-system.json",
        ]);
    });

    it("refuses a bad value, naming the key, before registering anything", () => {
        const result = render("--stack", "dev", "--config", "loki.retention=7days");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /loki\.retention: expected a duration/);
        assert.match(result.stderr, /\(0 resources were registered\)/);
        assert.equal(existsSync(join(result.out, "dev")), false);
    });

    it("refuses prod without its secrets, naming each", () => {
        const result = render("--stack", "prod");
        assert.notEqual(result.status, 0);
        for (const key of [
            "alerting.slackWebhookUrl",
            "alerting.pagerdutyRoutingKey",
            "alerting.heartbeatUrl",
            "loki.objectStorage.secretAccessKey",
            "jaeger.storage.password",
        ]) {
            assert.match(result.stderr, new RegExp(`${key.replaceAll(".", "\\.")}: required`));
        }
    });

    it("refuses an unknown stack", () => {
        const result = render("--stack", "qa");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /Pulumi\.qa\.yaml/);
    });
});

describe("render never deletes what it did not write", () => {
    it("refuses an out folder whose <stack>/ holds files and no marker, leaving them as they were (--out .)", () => {
        // The repository's own layout: `--out .` with --stack dev names dev/, which holds kind-config.yaml.
        const out = mkdtempSync(join(tmpdir(), "render-cli-"));
        temporary.push(out);
        mkdirSync(join(out, "dev"));
        writeFileSync(join(out, "dev", "kind-config.yaml"), "kind: Cluster\n");
        const result = renderInto(out, "--stack", "dev");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /holds files render did not write \(kind-config\.yaml\)/);
        assert.match(result.stderr, /choose another --out/);
        assert.deepEqual(readdirSync(join(out, "dev")), ["kind-config.yaml"]);
        assert.equal(readFileSync(join(out, "dev", "kind-config.yaml"), "utf8"), "kind: Cluster\n");
    });

    it("replaces its own earlier render, file for file, and keeps a file someone added beside it", () => {
        const first = render("--stack", "dev");
        assert.equal(first.status, 0, first.stderr);
        const directory = join(first.out, "dev");
        const marker = JSON.parse(readFileSync(join(directory, ".stella-render"), "utf8")) as { files: string[] };
        assert.ok(marker.files.includes("helm/loki.json"));
        // A file of render's that this render no longer writes goes; someone's notes stay.
        writeFileSync(join(directory, "dashboards", "old-dashboard.json"), "{}\n");
        writeFileSync(
            join(directory, ".stella-render"),
            JSON.stringify({ ...marker, files: [...marker.files, "dashboards/old-dashboard.json"] }),
        );
        writeFileSync(join(directory, "NOTES.md"), "mine\n");
        const second = renderInto(first.out, "--stack", "dev");
        assert.equal(second.status, 0, second.stderr);
        assert.equal(existsSync(join(directory, "dashboards", "old-dashboard.json")), false);
        assert.equal(readFileSync(join(directory, "NOTES.md"), "utf8"), "mine\n");
        assert.ok(existsSync(join(directory, "helm", "loki.json")));
    });
});
