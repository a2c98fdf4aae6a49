// Jaeger's config and Helm values, built directly: its listeners, and traces kept in OpenSearch.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { jaegerConfig, jaegerValues } from "../components/jaeger";
import { valueAt } from "../config/paths";

const dev = parseStackConfig("dev", {});

describe("jaegerConfig", () => {
    it("listens on 0.0.0.0 for OTLP gRPC 4317, OTLP HTTP 4318, the UI 16686 and health 13133", () => {
        const config = jaegerConfig(dev.jaeger, "http://prometheus:9090");
        assert.equal(valueAt(config, "receivers.otlp.protocols.grpc.endpoint"), "0.0.0.0:4317");
        assert.equal(valueAt(config, "receivers.otlp.protocols.http.endpoint"), "0.0.0.0:4318");
        assert.equal(valueAt(config, "extensions.jaeger_query.http.endpoint"), "0.0.0.0:16686");
        assert.equal(valueAt(config, "extensions.healthcheckv2.http.endpoint"), "0.0.0.0:13133");
        assert.equal(
            valueAt(config, "exporters.jaeger_storage_exporter.trace_storage"),
            valueAt(config, "extensions.jaeger_query.storage.traces"),
        );
    });
});

describe("jaeger on OpenSearch", () => {
    const storage = {
        ...dev.jaeger.storage,
        type: "opensearch" as const,
        serverUrls: ["https://os.internal:9200"],
        username: "jaeger",
        retentionDays: 14,
        caSecretName: "opensearch-ca",
    };
    const values = jaegerValues({
        jaeger: { ...dev.jaeger, replicas: 2, storage },
        prometheusUrl: "http://p:9090",
        storageSecretName: "jaeger-storage",
    });

    it("trusts the store's private CA and deletes indices older than retentionDays", () => {
        assert.equal(
            valueAt(values, "userconfig.extensions.jaeger_storage.backends.primary.opensearch.tls.ca_file"),
            "/etc/jaeger/storage-ca/ca.crt",
        );
        assert.deepEqual(valueAt(values, "jaeger.extraVolumes"), [
            { name: "storage-ca", secret: { secretName: "opensearch-ca" } },
        ]);
        assert.equal(valueAt(values, "esIndexCleaner.enabled"), true);
        assert.equal(valueAt(values, "esIndexCleaner.numberOfDays"), 14);
        const env = valueAt(values, "esIndexCleaner.extraEnv") as { name: string }[];
        assert.deepEqual(
            env.map((variable) => variable.name),
            ["INDEX_PREFIX", "ES_PASSWORD", "ES_TLS_ENABLED", "ES_TLS_CA"],
        );
        assert.doesNotMatch(JSON.stringify(values), /"password":"[^$]/, "no password value in the chart's values");
    });
});
