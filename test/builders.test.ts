// The pure builders, called directly: Helm values, Alertmanager config, Jaeger config, the Alloy
// pipeline, data sources and dashboards.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { alertmanagerConfig } from "../components/alerting/alertmanager-config";
import { alloyPipeline, alloyValues } from "../components/alloy";
import { grafanaDataSources } from "../components/grafana-datasources";
import { grafanaValues } from "../components/grafana-values";
import { mergeValues } from "../components/helm";
import { jaegerConfig, jaegerValues } from "../components/jaeger";
import { lokiValues } from "../components/loki";
import { networkPolicySpec, networkPolicySpecs } from "../components/network-policies";
import { get } from "./paths";
import { datasourceUids } from "../catalogue";

const dev = parseStackConfig("dev", {});

describe("mergeValues", () => {
    it("merges maps key by key and lets lists and scalars of the override win, like Helm", () => {
        const base = { a: { b: 1, c: [1, 2] }, d: "x" };
        const merged = mergeValues(base, { a: { c: [3] }, d: "y", e: true });
        assert.deepEqual(merged, { a: { b: 1, c: [3] }, d: "y", e: true });
        assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: "x" }, "the base is not changed");
    });
});

describe("alertmanagerConfig", () => {
    const args = {
        receiverSecretName: "receivers",
        heartbeatEnabled: false,
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        grafanaUrl: "https://grafana.example.com",
    };
    it("routes to Slack by default and critical alerts to PagerDuty, with the seed's timings", () => {
        const config = alertmanagerConfig({ ...args, slackEnabled: true, pagerdutyEnabled: true }) as {
            route: {
                receiver: string;
                group_wait: string;
                group_interval: string;
                repeat_interval: string;
                routes: { receiver: string; matchers: string[] }[];
            };
        };
        assert.equal(config.route.receiver, "slack");
        assert.deepEqual(
            [config.route.group_wait, config.route.group_interval, config.route.repeat_interval],
            ["30s", "5m", "4h"],
        );
        assert.deepEqual(
            config.route.routes
                .filter((route) => route.matchers.includes('severity = "critical"'))
                .map((route) => route.receiver),
            ["pagerduty", "slack"],
        );
    });
    it("keeps critical alerts on Slack when PagerDuty is not configured", () => {
        const config = alertmanagerConfig({ ...args, slackEnabled: true, pagerdutyEnabled: false }) as {
            route: { routes: { receiver: string }[] };
            receivers: { name: string }[];
        };
        assert.deepEqual(
            config.route.routes.map((route) => route.receiver),
            ["null"],
        );
        assert.deepEqual(
            config.receivers.map((receiver) => receiver.name),
            ["null", "slack"],
        );
    });
});

describe("lokiValues", () => {
    it("keeps dev on a filesystem volume with the tsdb v13 schema and retention", () => {
        const values = lokiValues({ loki: dev.loki });
        assert.equal(values.deploymentMode, "Monolithic");
        assert.deepEqual(get(values, "loki.storage"), { type: "filesystem" });
        assert.equal(get(values, "loki.schemaConfig.configs.0.schema"), "v13");
        assert.equal(get(values, "loki.schemaConfig.configs.0.store"), "tsdb");
        assert.equal(get(values, "loki.limits_config.retention_period"), "168h");
        assert.equal(get(values, "loki.compactor.retention_enabled"), true);
        assert.deepEqual(
            ["read", "write", "backend"].map((target) => get(values, `${target}.replicas`)),
            [0, 0, 0],
        );
        assert.equal(values.defaults, undefined);
    });
});

describe("jaegerConfig", () => {
    it("listens on 0.0.0.0 for OTLP gRPC 4317, OTLP HTTP 4318, the UI 16686 and health 13133", () => {
        const config = jaegerConfig(dev.jaeger, "http://prometheus:9090");
        assert.equal(get(config, "receivers.otlp.protocols.grpc.endpoint"), "0.0.0.0:4317");
        assert.equal(get(config, "receivers.otlp.protocols.http.endpoint"), "0.0.0.0:4318");
        assert.equal(get(config, "extensions.jaeger_query.http.endpoint"), "0.0.0.0:16686");
        assert.equal(get(config, "extensions.healthcheckv2.http.endpoint"), "0.0.0.0:13133");
        assert.equal(
            get(config, "exporters.jaeger_storage_exporter.trace_storage"),
            get(config, "extensions.jaeger_query.storage.traces"),
        );
    });
});

describe("alloy", () => {
    const pipeline = alloyPipeline("http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push");
    it("labels by level only and keeps session_id and trace_id as structured metadata", () => {
        assert.match(pipeline, /stage\.labels \{\s*values = \{ level = "" \}/);
        assert.match(pipeline, /stage\.structured_metadata \{\s*values = \{ session_id = "", trace_id = "" \}/);
        assert.doesNotMatch(pipeline.split("stage.labels")[1]?.split("}")[1] ?? "", /session_id|trace_id/);
    });
    it("holds nothing Helm's tpl would evaluate", () => {
        const values = alloyValues({ lokiPushUrl: "http://loki:3100/loki/api/v1/push", alloy: dev.alloy }) as {
            alloy: { configMap: { content: string } };
        };
        assert.doesNotMatch(values.alloy.configMap.content, /\{\{/);
    });
});

describe("grafana", () => {
    it("takes the admin credentials from the existing Secret and keeps anonymous access off", () => {
        const values = grafanaValues({ grafana: dev.grafana, adminSecretName: "grafana-admin" });
        assert.deepEqual(values.admin, {
            existingSecret: "grafana-admin",
            userKey: "admin-user",
            passwordKey: "admin-password",
        });
        assert.deepEqual((values["grafana.ini"] as Record<string, unknown>)["auth.anonymous"], { enabled: false });
        assert.equal(get(values["grafana.ini"], "server.root_url"), "http://localhost:3000");
        assert.equal(JSON.stringify(values).includes("adminPassword"), false);
    });
    it("registers the four data sources under the uids dashboards use", () => {
        const sources = grafanaDataSources({
            urls: {
                prometheus: "http://p:9090",
                loki: "http://l:3100",
                jaeger: "http://j:16686",
                alertmanager: "http://a:9093",
            },
            traceLogNamespaces: ["ai-agents"],
            scrapeInterval: "15s",
        });
        assert.deepEqual(
            sources.map((source) => [source.uid, source.type]),
            [
                [datasourceUids.prometheus, "prometheus"],
                [datasourceUids.loki, "loki"],
                [datasourceUids.jaeger, "jaeger"],
                [datasourceUids.alertmanager, "alertmanager"],
            ],
        );
        // Grafana reads a Prometheus-project Alertmanager (not Mimir's or Cortex's) at this URL.
        const alertmanager = sources.find((source) => source.uid === datasourceUids.alertmanager);
        assert.equal(alertmanager?.url, "http://a:9093");
        assert.equal(alertmanager?.jsonData.implementation, "prometheus");
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
        assert.equal(get(values, "singleBinary.replicas"), 0);
        assert.equal(get(values, "ingester.replicas"), 3);
        assert.equal(get(values, "loki.commonConfig.replication_factor"), 3);
        assert.equal(get(values, "gateway.enabled"), true);
        assert.equal(get(values, "ruler.enabled"), false);
        for (const component of [
            "ingester",
            "distributor",
            "querier",
            "queryFrontend",
            "queryScheduler",
            "indexGateway",
            "compactor",
        ]) {
            assert.ok(get(values, `${component}.resources.limits.memory`), component);
        }
    });

    it("is refused without object storage", () => {
        assert.throws(
            () => parseStackConfig("dev", { loki: { value: { mode: "distributed" }, secret: false } }),
            /loki\.mode: "distributed" needs loki\.objectStorage/,
        );
    });
});

describe("networkPolicySpecs", () => {
    const policies = networkPolicySpecs({ otlpNamespaces: ["ai-agents"], ingressControllerNamespace: "ingress-nginx" });
    const byName = new Map(policies.map((policy) => [policy.name, policy]));

    it("denies ingress by default and lets Prometheus scrape everything", () => {
        assert.deepEqual(byName.get("default-deny-ingress")?.ingress, []);
        assert.deepEqual(byName.get("default-deny-ingress")?.podSelector, {});
        assert.deepEqual(byName.get("allow-prometheus-scrapes")?.ingress, [
            { from: { pods: { "app.kubernetes.io/name": "prometheus" } } },
        ]);
    });

    it("admits OTLP to Jaeger from STELLA's namespace only, and Grafana from the ingress controller only", () => {
        const jaeger = networkPolicySpec(byName.get("jaeger") as NonNullable<ReturnType<typeof byName.get>>);
        assert.deepEqual(get(jaeger, "ingress.0.from.0.namespaceSelector.matchExpressions.0.values"), ["ai-agents"]);
        assert.deepEqual(get(jaeger, "ingress.0.ports"), [
            { port: 4317, protocol: "TCP" },
            { port: 4318, protocol: "TCP" },
        ]);
        const grafana = networkPolicySpec(byName.get("grafana") as NonNullable<ReturnType<typeof byName.get>>);
        assert.deepEqual(get(grafana, "ingress.0.from.0.namespaceSelector.matchExpressions.0.values"), [
            "ingress-nginx",
        ]);
    });

    it("opens Grafana's port to anyone when no ingress controller namespace is named", () => {
        const open = networkPolicySpecs({ otlpNamespaces: ["ai-agents"] }).find((policy) => policy.name === "grafana");
        const spec = networkPolicySpec(open as NonNullable<typeof open>);
        assert.equal(get(spec, "ingress.0.from"), undefined);
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
            get(values, "userconfig.extensions.jaeger_storage.backends.primary.opensearch.tls.ca_file"),
            "/etc/jaeger/storage-ca/ca.crt",
        );
        assert.deepEqual(get(values, "jaeger.extraVolumes"), [
            { name: "storage-ca", secret: { secretName: "opensearch-ca" } },
        ]);
        assert.equal(get(values, "esIndexCleaner.enabled"), true);
        assert.equal(get(values, "esIndexCleaner.numberOfDays"), 14);
        const env = get(values, "esIndexCleaner.extraEnv") as { name: string }[];
        assert.deepEqual(
            env.map((variable) => variable.name),
            ["INDEX_PREFIX", "ES_PASSWORD", "ES_TLS_ENABLED", "ES_TLS_CA"],
        );
        assert.doesNotMatch(JSON.stringify(values), /"password":"[^$]/, "no password value in the chart's values");
    });
});
