// `npm run render` as CI and reviewers call it: the files of README "Offline render", and bad config refused
// with its key named and nothing registered.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { runRender } from "../tools/render-process";
import { tryRender } from "./support/render";
import { temporaryDirectory } from "./support/temporary";

describe("npm run render", () => {
    it("writes exactly the contract's files for dev", () => {
        const result = tryRender("dev");
        assert.equal(result.status, 0, result.stderr);
        const directory = result.directory;
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
        const result = tryRender("dev", ["--config", "loki.retention=7days"]);
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /loki\.retention: expected a duration/);
        assert.match(result.stderr, /\(0 resources were registered\)/);
        assert.equal(existsSync(result.directory), false);
    });

    it("refuses prod without its secrets, naming each", () => {
        const result = tryRender("prod");
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
        const result = tryRender("qa");
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /Pulumi\.qa\.yaml/);
    });
});

describe("render never deletes what it did not write", () => {
    it("refuses an out folder whose <stack>/ holds files and no marker, leaving them as they were (--out .)", () => {
        // The repository's own layout: `--out .` with --stack dev names dev/, which holds kind-config.yaml.
        const out = temporaryDirectory("render-cli-");
        mkdirSync(join(out, "dev"));
        writeFileSync(join(out, "dev", "kind-config.yaml"), "kind: Cluster\n");
        const result = runRender("dev", out);
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /holds files render did not write \(kind-config\.yaml\)/);
        assert.match(result.stderr, /choose another --out/);
        assert.deepEqual(readdirSync(join(out, "dev")), ["kind-config.yaml"]);
        assert.equal(readFileSync(join(out, "dev", "kind-config.yaml"), "utf8"), "kind: Cluster\n");
    });

    it("replaces its own earlier render, file for file, and keeps a file someone added beside it", () => {
        const first = tryRender("dev");
        assert.equal(first.status, 0, first.stderr);
        const directory = first.directory;
        const marker = JSON.parse(readFileSync(join(directory, ".stella-render"), "utf8")) as { files: string[] };
        assert.ok(marker.files.includes("helm/loki.json"));
        // A file of render's that this render no longer writes goes; someone's notes stay.
        writeFileSync(join(directory, "dashboards", "old-dashboard.json"), "{}\n");
        writeFileSync(
            join(directory, ".stella-render"),
            JSON.stringify({ ...marker, files: [...marker.files, "dashboards/old-dashboard.json"] }),
        );
        writeFileSync(join(directory, "NOTES.md"), "mine\n");
        const second = runRender("dev", dirname(directory));
        assert.equal(second.status, 0, second.stderr);
        assert.equal(existsSync(join(directory, "dashboards", "old-dashboard.json")), false);
        assert.equal(readFileSync(join(directory, "NOTES.md"), "utf8"), "mine\n");
        assert.ok(existsSync(join(directory, "helm", "loki.json")));
    });
});
