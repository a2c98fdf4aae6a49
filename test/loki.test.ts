// Loki's Helm values, built directly: dev's single binary on a filesystem, prod's distributed mode.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { lokiValues } from "../components/loki";
import { valueAt } from "../config/paths";

const dev = parseStackConfig("dev", {});

describe("lokiValues", () => {
    it("keeps dev on a filesystem volume with the tsdb v13 schema and retention", () => {
        const values = lokiValues({ loki: dev.loki });
        assert.equal(values.deploymentMode, "Monolithic");
        assert.deepEqual(valueAt(values, "loki.storage"), { type: "filesystem" });
        assert.equal(valueAt(values, "loki.schemaConfig.configs.0.schema"), "v13");
        assert.equal(valueAt(values, "loki.schemaConfig.configs.0.store"), "tsdb");
        assert.equal(valueAt(values, "loki.limits_config.retention_period"), "168h");
        assert.equal(valueAt(values, "loki.compactor.retention_enabled"), true);
        assert.deepEqual(
            ["read", "write", "backend"].map((target) => valueAt(values, `${target}.replicas`)),
            [0, 0, 0],
        );
        assert.equal(values.defaults, undefined);
    });
});

describe("lokiValues in distributed mode", () => {
    const config = parseStackConfig("prod", {
        alerting: {
            value: {
                slackWebhookUrl: "https://hooks.slack.com/services/T/B/X",
                pagerdutyRoutingKey: "abcdefghijklmnopqrstuvwxyz",
                heartbeatUrl: "https://hc-ping.example.com/x",
                runbookBaseUrl: "https://git.example.org/sre/stella-monitoring/blob/main/docs/runbooks",
            },
            secret: true,
        },
        loki: {
            value: {
                mode: "distributed",
                distributed: { ingesters: 3 },
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            },
            secret: true,
        },
        jaeger: { value: { storage: { type: "opensearch", serverUrls: ["https://os:9200"] } }, secret: false },
    });
    const values = lokiValues({ loki: config.loki, objectStorageSecretName: "loki-object-storage" });

    it("runs every component on its own behind the gateway, with three copies of each stream", () => {
        assert.equal(values.deploymentMode, "Distributed");
        assert.equal(valueAt(values, "singleBinary.replicas"), 0);
        assert.equal(valueAt(values, "ingester.replicas"), 3);
        assert.equal(valueAt(values, "loki.commonConfig.replication_factor"), 3);
        assert.equal(valueAt(values, "gateway.enabled"), true);
        assert.equal(valueAt(values, "ruler.enabled"), false);
        for (const component of [
            "ingester",
            "distributor",
            "querier",
            "queryFrontend",
            "queryScheduler",
            "indexGateway",
            "compactor",
        ]) {
            assert.ok(valueAt(values, `${component}.resources.limits.memory`), component);
        }
    });

    it("is refused without object storage", () => {
        assert.throws(
            () => parseStackConfig("dev", { loki: { value: { mode: "distributed" }, secret: false } }),
            /loki\.mode: "distributed" needs loki\.objectStorage/,
        );
    });
});
