// `npm run render` as CI and reviewers call it: the files of CONTRACT.md, and bad config refused
// with its key named and nothing registered.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";

const root = resolve(__dirname, "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

function render(...args: string[]) {
    const out = mkdtempSync(join(tmpdir(), "render-cli-"));
    const result = spawnSync(tsx, ["tools/render.ts", "--out", out, ...args], { cwd: root, encoding: "utf8" });
    return { ...result, out };
}

describe("npm run render", () => {
    it("writes exactly the contract's files for dev", () => {
        const result = render("--stack", "dev");
        assert.equal(result.status, 0, result.stderr);
        const directory = join(result.out, "dev");
        assert.deepEqual(readdirSync(directory).sort(), [
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
