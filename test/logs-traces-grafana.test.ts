// Day 2 of logs, traces and Grafana: the silent failures a review of Alloy, Loki, Jaeger and Grafana
// against their sources found (lost and duplicated logs, unreachable traces, dashboards that vanish),
// each pinned by a test that fails without its fix.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig, type RawEntry } from "../config";
import { jaegerConfig, jaegerValues, memoryBytes } from "../components/jaeger";
import { get } from "./paths";

const plain = (value: unknown): RawEntry => ({ value, secret: false });
const secret = (value: unknown): RawEntry => ({ value, secret: true });

/** A valid prod config, with the given entries on top. */
function prod(entries: Record<string, RawEntry> = {}) {
    return parseStackConfig("prod", {
        alerting: secret({
            slackWebhookUrl: "https://hooks.slack.com/services/T/B/X",
            pagerdutyRoutingKey: "abcdefghijklmnopqrstuvwxyz",
        }),
        loki: secret({
            objectStorage: {
                bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                accessKeyId: "AKIA",
                secretAccessKey: "x",
            },
        }),
        jaeger: plain({ storage: { type: "opensearch", serverUrls: ["https://os:9200"] } }),
        ...entries,
    });
}

describe("Jaeger", () => {
    it("searches the whole retention on OpenSearch, not the 72h default of max_span_age", () => {
        for (const retentionDays of [7, 30]) {
            const config = prod({
                jaeger: plain({ storage: { type: "opensearch", serverUrls: ["https://os:9200"], retentionDays } }),
            });
            const backend = get(
                jaegerConfig(config.jaeger, "http://prometheus:9090"),
                "extensions.jaeger_storage.backends.primary.opensearch",
            );
            assert.equal(get(backend, "max_span_age"), `${retentionDays * 24}h`);
        }
    });

    it("bounds the dev memory store by its memory limit, and limits memory before batching", () => {
        const dev = parseStackConfig("dev", {});
        const config = jaegerConfig(dev.jaeger, "http://prometheus:9090");
        const maxTraces = get(config, "extensions.jaeger_storage.backends.primary.memory.max_traces") as number;
        // 32 KiB a trace in half of the 512Mi limit.
        assert.equal(maxTraces, 8192);
        assert.ok(maxTraces * 32 * 1024 <= memoryBytes(dev.jaeger.resources.limits.memory) / 2);
        assert.deepEqual(get(config, "service.pipelines.traces.processors"), ["memory_limiter", "batch"]);
        const limiter = get(config, "processors.memory_limiter") as Record<string, unknown>;
        assert.ok((limiter.limit_percentage as number) < 100 && (limiter.spike_limit_percentage as number) > 0);
        assert.equal(typeof limiter.check_interval, "string");

        const bigger = parseStackConfig("dev", { jaeger: plain({ resources: { limits: { memory: "1Gi" } } }) });
        assert.equal(
            get(jaegerConfig(bigger.jaeger, "x"), "extensions.jaeger_storage.backends.primary.memory.max_traces"),
            16384,
        );
        const set = parseStackConfig("dev", { jaeger: plain({ storage: { maxTraces: 2000 } }) });
        assert.equal(
            get(
                jaegerValues({ jaeger: set.jaeger, prometheusUrl: "x" }),
                "userconfig.extensions.jaeger_storage.backends.primary.memory.max_traces",
            ),
            2000,
        );
    });
});
