// `npm run promote` on fixture stack files: only the versions change, comments and secure values stay,
// the change is printed, and --check refuses a target version the source does not run.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { promote } from "../tools/promote";
import { temporaryDirectory } from "./temporary";

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

    it("with --check, names each chart the target pins and the source does not run, and writes nothing", () => {
        const root = fixture();
        const result = promote({ root, from: "staging", to: "prod", check: true });
        assert.deepEqual(
            result.problems.map((problem) => problem.split(":")[0]),
            ["kubePrometheusStack", "grafana", "jaeger"],
        );
        assert.match(
            result.problems[2] ?? "",
            /jaeger: prod pins 4\.11\.1, which staging does not run \(staging: not pinned\)/,
        );
        assert.equal(readFileSync(join(root, "Pulumi.prod.yaml"), "utf8"), prod);
        promote({ root, from: "staging", to: "prod", check: false });
        assert.deepEqual(promote({ root, from: "staging", to: "prod", check: true }).problems, []);
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
            ["tools/promote.ts", "--from", "staging", "--to", "prod", "--check"],
            {
                cwd: root,
                encoding: "utf8",
            },
        );
        assert.equal(result.status, 0, result.stderr);
    });
});
