// Day 2 of Jaeger and Loki: the silent failures a review against their sources found (lost and
// duplicated logs, unreachable traces, a secret YAML reads back changed), each pinned by a test that
// fails without its fix.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { parseStackConfig, type RawEntry } from "../config";
import { jaegerConfig, jaegerValues } from "../components/jaeger";
import { lokiValues } from "../components/loki";
import { memoryBytes } from "../quantities";
import { valueAt } from "../config/paths";

const plain = (value: unknown): RawEntry => ({ value, secret: false });
const secret = (value: unknown): RawEntry => ({ value, secret: true });

/** A valid prod config, with the given entries on top. */
function prod(entries: Record<string, RawEntry> = {}) {
    return parseStackConfig("prod", {
        alerting: secret({
            slackWebhookUrl: "https://hooks.slack.com/services/T/B/X",
            pagerdutyRoutingKey: "abcdefghijklmnopqrstuvwxyz",
            heartbeatUrl: "https://hc-ping.example.com/x",
            runbookBaseUrl: "https://git.example.org/sre/stella-monitoring/blob/main/docs/runbooks",
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
            const backend = valueAt(
                jaegerConfig(config.jaeger, "http://prometheus:9090"),
                "extensions.jaeger_storage.backends.primary.opensearch",
            );
            assert.equal(valueAt(backend, "max_span_age"), `${retentionDays * 24}h`);
        }
    });

    it("bounds the dev memory store by its memory limit, and limits memory before batching", () => {
        const dev = parseStackConfig("dev", {});
        const config = jaegerConfig(dev.jaeger, "http://prometheus:9090");
        const maxTraces = valueAt(config, "extensions.jaeger_storage.backends.primary.memory.max_traces") as number;
        // 32 KiB a trace in half of the 512Mi limit.
        assert.equal(maxTraces, 8192);
        assert.ok(maxTraces * 32 * 1024 <= memoryBytes(dev.jaeger.resources.limits.memory) / 2);
        assert.deepEqual(valueAt(config, "service.pipelines.traces.processors"), ["memory_limiter", "batch"]);
        const limiter = valueAt(config, "processors.memory_limiter") as Record<string, unknown>;
        assert.ok((limiter.limit_percentage as number) < 100 && (limiter.spike_limit_percentage as number) > 0);
        assert.equal(typeof limiter.check_interval, "string");

        const bigger = parseStackConfig("dev", { jaeger: plain({ resources: { limits: { memory: "1Gi" } } }) });
        assert.equal(
            valueAt(jaegerConfig(bigger.jaeger, "x"), "extensions.jaeger_storage.backends.primary.memory.max_traces"),
            16384,
        );
        const set = parseStackConfig("dev", { jaeger: plain({ storage: { maxTraces: 2000 } }) });
        assert.equal(
            valueAt(
                jaegerValues({ jaeger: set.jaeger, prometheusUrl: "x" }),
                "userconfig.extensions.jaeger_storage.backends.primary.memory.max_traces",
            ),
            2000,
        );
    });
});

describe("Loki", () => {
    it("keeps write quorum through evictions: a PodDisruptionBudget for three monolithic replicas", () => {
        const config = prod({
            loki: secret({
                replicas: 3,
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            }),
        });
        const values = lokiValues({ loki: config.loki });
        assert.equal(valueAt(values, "loki.commonConfig.replication_factor"), 3);
        // The chart renders the budget only when one of its bounds is set (its default leaves both null).
        assert.equal(valueAt(values, "singleBinary.podDisruptionBudget.maxUnavailable"), 1);
        assert.equal(
            valueAt(lokiValues({ loki: parseStackConfig("dev", {}).loki }), "singleBinary.podDisruptionBudget"),
            undefined,
        );
    });

    it("gives the distributed ingesters and compactor the configured volume, not the chart's 10Gi claim", () => {
        const config = prod({
            loki: secret({
                mode: "distributed",
                storage: { enabled: true, size: "50Gi", storageClass: "fast-ssd" },
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            }),
        });
        const values = lokiValues({ loki: config.loki });
        for (const component of ["ingester", "compactor"]) {
            // The chart's workload template renders one volume claim per entry of persistence.claims and
            // reads size and storageClass from there: the component's persistence.size is ignored.
            assert.deepEqual(
                valueAt(values, `${component}.persistence.claims`),
                [{ name: "data", accessModes: ["ReadWriteOnce"], size: "50Gi", storageClass: "fast-ssd" }],
                component,
            );
            assert.equal(valueAt(values, `${component}.persistence.enabled`), true, component);
        }
    });

    it("sizes the tenant's ingestion limits per stack and truncates long lines instead of dropping them", () => {
        const dev = lokiValues({ loki: parseStackConfig("dev", {}).loki });
        assert.deepEqual(valueAt(dev, "loki.limits_config"), {
            retention_period: "168h",
            allow_structured_metadata: true,
            ingestion_rate_mb: 4,
            ingestion_burst_size_mb: 6,
            per_stream_rate_limit: "3MB",
            per_stream_rate_limit_burst: "15MB",
            max_line_size: "256KB",
            max_line_size_truncate: true,
            // The cardinality guards; test/log-cardinality.test.ts covers them.
            max_global_streams_per_user: 5000,
            max_label_names_per_series: 10,
            max_label_value_length: 256,
        });
        const busy = prod({
            loki: secret({
                limits: { ingestionRateMb: 16, ingestionBurstSizeMb: 32, maxLineSize: "512KB" },
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey: "x",
                },
            }),
        });
        const limits = valueAt(lokiValues({ loki: busy.loki }), "loki.limits_config");
        assert.equal(valueAt(limits, "ingestion_rate_mb"), 16);
        assert.equal(valueAt(limits, "ingestion_burst_size_mb"), 32);
        assert.equal(valueAt(limits, "max_line_size"), "512KB");
        assert.throws(
            () => parseStackConfig("dev", { loki: plain({ limits: { ingestionBurstSizeMb: 2 } }) }),
            /loki\.limits\.ingestionBurstSizeMb: 2 is below loki\.limits\.ingestionRateMb \(4\)/,
        );
        assert.throws(
            () => parseStackConfig("dev", { loki: plain({ limits: { maxLineSize: "big" } }) }),
            /loki\.limits\.maxLineSize: expected a size .*got "big"/,
        );
    });

    it("publishes not-ready members on the memberlist Service, so a starting ring member is found", () => {
        assert.equal(
            valueAt(
                lokiValues({ loki: parseStackConfig("dev", {}).loki }),
                "memberlist.service.publishNotReadyAddresses",
            ),
            true,
        );
    });
});

describe("Loki's S3 secret after ${VAR} expansion", () => {
    /** What Loki parses once it has expanded the variable into the line the chart writes (unquoted). */
    function expanded(value: string): unknown {
        const text = `storage_config:\n  aws:\n    secret_access_key: \${LOKI_S3_SECRET_ACCESS_KEY}\n    region: eu-central-1\n`;
        try {
            return parseYaml(text.replace("${LOKI_S3_SECRET_ACCESS_KEY}", value));
        } catch {
            return undefined;
        }
    }
    const survives = (value: string) => {
        const aws = valueAt(expanded(value), "storage_config.aws") as Record<string, unknown> | undefined;
        // A number or boolean would be read back as its text (Loki's field is a string); null as nothing.
        const key = aws?.secret_access_key;
        const text =
            typeof key === "string" || typeof key === "number" || typeof key === "boolean" ? `${key}` : undefined;
        return text === value && aws?.region === "eu-central-1";
    };
    const withKey = (secretAccessKey: string) => () =>
        prod({
            loki: secret({
                objectStorage: {
                    bucketNames: { chunks: "c-bucket", ruler: "r-bucket", admin: "a-bucket" },
                    accessKeyId: "AKIA",
                    secretAccessKey,
                },
            }),
        });
    const samples = [
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "+starts/with+plus=",
        "has#hash-inside",
        "a:b:c",
        "dollar$sign",
        "has #comment",
        "key: value",
        "ends-with-colon:",
        "#leading-hash",
        "'quoted",
        '"double',
        "*alias",
        "&anchor",
        "!tag",
        "|block",
        ">folded",
        "@at",
        "`tick",
        "%percent",
        "{flow",
        "[flow",
        "- dash",
        "? question",
        " leading-space",
        "trailing-space ",
        "tab\tinside",
        "line\nbreak",
        "~",
        "null",
    ];

    it("refuses exactly the secrets that YAML would not read back, naming the key and not the value", () => {
        for (const sample of samples) {
            if (survives(sample)) {
                assert.doesNotThrow(withKey(sample), JSON.stringify(sample));
            } else {
                assert.throws(
                    withKey(sample),
                    (error: Error) => {
                        assert.match(error.message, /loki\.objectStorage\.secretAccessKey: .*unquoted/);
                        // ("~" and "null" are words of the message itself.)
                        if (sample.length >= 5) assert.ok(!error.message.includes(sample), "the secret is not shown");
                        return true;
                    },
                    JSON.stringify(sample),
                );
            }
        }
        // The two cases are among the refused.
        assert.equal(survives("has #comment"), false);
        assert.equal(survives("key: value"), false);
    });
});
