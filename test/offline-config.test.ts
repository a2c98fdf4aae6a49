// The offline config reader behind `npm run render`: stack files, secure values, --config/--secret.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { splitPath } from "../config/paths";
import { readOfflineConfig } from "../tools/offline-config";
import { temporaryDirectory } from "./support/temporary";

function project(stackYaml: string): string {
    const root = temporaryDirectory("offline-config-");
    writeFileSync(
        join(root, "Pulumi.yaml"),
        "name: stella-monitoring\nruntime: nodejs\nconfig:\n  stella-monitoring:grafana:\n    value:\n      url: http://localhost:3000\n",
    );
    writeFileSync(join(root, "Pulumi.test.yaml"), stackYaml);
    return root;
}

describe("readOfflineConfig", () => {
    it("turns a secure value into the secret placeholder and marks its key secret", () => {
        const root = project(
            "config:\n  stella-monitoring:alerting:\n    slackChannel: '#x'\n    slackWebhookUrl:\n      secure: v1:abc\n",
        );
        const { config, secretKeys } = readOfflineConfig(root, "test", []);
        assert.deepEqual(JSON.parse(config["stella-monitoring:alerting"] as string), {
            slackChannel: "#x",
            slackWebhookUrl: "[secret]",
        });
        assert.deepEqual(secretKeys, ["stella-monitoring:alerting"]);
        assert.deepEqual(JSON.parse(config["stella-monitoring:grafana"] as string), { url: "http://localhost:3000" });
    });
    it("overlays --config and --secret paths as `pulumi config set --path` would", () => {
        const root = project("config:\n  stella-monitoring:prometheus:\n    replicas: 1\n");
        const { config, secretKeys } = readOfflineConfig(root, "test", [
            { path: "prometheus.replicas", value: "2", secret: false },
            { path: "prometheus.storage.enabled", value: "true", secret: false },
            { path: "jaeger.storage.serverUrls[0]", value: "https://os:9200", secret: false },
            { path: "alerting.pagerdutyRoutingKey", value: "12345", secret: true },
            { path: "kubernetes:context", value: "kind-stella", secret: false },
        ]);
        assert.deepEqual(JSON.parse(config["stella-monitoring:prometheus"] as string), {
            replicas: 2,
            storage: { enabled: true },
        });
        assert.deepEqual(JSON.parse(config["stella-monitoring:jaeger"] as string), {
            storage: { serverUrls: ["https://os:9200"] },
        });
        assert.deepEqual(JSON.parse(config["stella-monitoring:alerting"] as string), { pagerdutyRoutingKey: "12345" });
        assert.equal(config["kubernetes:context"], "kind-stella");
        assert.deepEqual(secretKeys, ["stella-monitoring:alerting"]);
    });
    it("names a missing stack file", () => {
        assert.throws(() => readOfflineConfig(project("config: {}\n"), "nope", []), /Pulumi\.nope\.yaml/);
    });
    it("splits dotted paths with indices", () => {
        assert.deepEqual(splitPath("a.b[0].c"), ["a", "b", 0, "c"]);
        assert.throws(() => splitPath("a..b"), /bad config path/);
    });
});
