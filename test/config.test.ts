// The config layer: defaults, the documented defaults in Pulumi.yaml, and a table of bad configs,
// each of which must fail with its key named, before anything is registered. The rules between keys
// and per environment are in config-rules.test.ts, the secrets in config-secrets.test.ts.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { withGrafanaApiUrlOverride } from "../config/load";
import { defaultConfigValues, parseStackConfig, type RawEntry } from "../config/parse";
import { failure, plain, prodEntries, secret } from "./support/config-fixtures";

describe("config", () => {
    it("gives dev the defaults", () => {
        const config = parseStackConfig("dev", {});
        assert.equal(config.environment, "dev");
        assert.equal(config.kubernetes.namespace, "monitoring");
        assert.equal(config.stella.namespace, "ai-agents");
        assert.deepEqual(
            [config.alerting.groupWait, config.alerting.groupInterval, config.alerting.repeatInterval],
            ["30s", "5m", "4h"],
        );
        assert.equal(config.alerting.slackWebhookUrl, undefined);
        assert.equal(config.jaeger.storage.type, "memory");
    });

    it("documents exactly the defaults in Pulumi.yaml", () => {
        const project = parse(readFileSync(`${__dirname}/../Pulumi.yaml`, "utf8")) as {
            config: Record<string, { value: unknown }>;
        };
        const documented = Object.fromEntries(
            Object.entries(project.config).map(([key, declaration]) => [
                key.replace(/^stella-monitoring:/, ""),
                declaration.value,
            ]),
        );
        assert.deepEqual(documented, defaultConfigValues());
    });

    it("fills what a stack leaves out of an object with the defaults", () => {
        const config = parseStackConfig("dev", { prometheus: plain({ replicas: 2 }) });
        assert.equal(config.prometheus.replicas, 2);
        assert.equal(config.prometheus.retention, "7d");
        assert.equal(config.prometheus.resources.requests.cpu, "200m");
    });

    const badConfigs: { name: string; stack?: string; entries: Record<string, RawEntry>; key: string; says: RegExp }[] =
        [
            {
                name: "an unknown top-level key",
                entries: { alertng: plain({}) },
                key: "alertng",
                says: /did you mean "alerting"/,
            },
            {
                name: "an unknown nested key",
                entries: { loki: plain({ retentoin: "24h" }) },
                key: "loki.retentoin",
                says: /did you mean "retention"/,
            },
            {
                name: "a wrong type",
                entries: { prometheus: plain({ replicas: "two" }) },
                key: "prometheus.replicas",
                says: /expected a number, got "two"/,
            },
            {
                name: "a malformed duration",
                entries: { loki: plain({ retention: "7 days" }) },
                key: "loki.retention",
                says: /duration.*"7 days"/,
            },
            {
                name: "a malformed size",
                entries: { loki: plain({ storage: { size: "10 gigs" } }) },
                key: "loki.storage.size",
                says: /quantity/,
            },
            {
                name: "a malformed retention size",
                entries: { prometheus: plain({ retentionSize: "45G" }) },
                key: "prometheus.retentionSize",
                says: /GB/,
            },
            {
                name: "a malformed URL",
                entries: { grafana: plain({ url: "grafana.local" }) },
                key: "grafana.url",
                says: /URL/,
            },
            {
                name: "an unpinned version",
                entries: { versions: plain({ loki: "latest" }) },
                key: "versions.loki",
                says: /exact chart version/,
            },
            {
                name: "a version range",
                entries: { versions: plain({ grafana: "^12.0.0" }) },
                key: "versions.grafana",
                says: /no ranges/,
            },
            {
                name: "an unknown chart",
                entries: { versions: plain({ tempo: "1.0.0" }) },
                key: "versions.tempo",
                says: /unknown key/,
            },
            {
                name: "an unknown enum value",
                entries: { jaeger: plain({ storage: { type: "cassandra" } }) },
                key: "jaeger.storage.type",
                says: /one of "memory", "elasticsearch", "opensearch"/,
            },
            { name: "an unknown stack name", stack: "qa", entries: {}, key: "environment", says: /stack "qa"/ },
            {
                name: "a secret set in plain text",
                entries: { alerting: plain({ slackWebhookUrl: "https://hooks.slack.com/services/x" }) },
                key: "alerting.slackWebhookUrl",
                says: /--secret/,
            },
            {
                name: "a malformed secret, without echoing it",
                entries: { alerting: secret({ slackWebhookUrl: "not-a-url-CANARY" }) },
                key: "alerting.slackWebhookUrl",
                says: /not shown/,
            },
            {
                name: "two Loki replicas on a filesystem",
                entries: { loki: plain({ replicas: 2 }) },
                key: "loki.replicas",
                says: /objectStorage/,
            },
            {
                name: "a nodePort without NodePort",
                entries: { grafana: plain({ service: { nodePort: 30300 } }) },
                key: "grafana.service.nodePort",
                says: /NodePort/,
            },
        ];
    for (const bad of badConfigs) {
        it(`refuses ${bad.name}, naming ${bad.key}`, () => {
            const error = failure(bad.stack ?? "dev", bad.entries);
            const line = error.problems.find((problem) => problem.startsWith(`${bad.key}:`));
            assert.ok(line, `no problem names ${bad.key}: ${error.message}`);
            assert.match(line, bad.says);
            assert.doesNotMatch(error.message, /CANARY/, "a secret value leaked into the error");
        });
    }

    it("refuses alerting.slackChannel: the channel is the Slack webhook's", () => {
        const entries = prodEntries();
        const alerting = { ...(entries.alerting?.value as Record<string, unknown>), slackChannel: "#stella-alerts" };
        const error = failure("prod", { ...entries, alerting: secret(alerting) });
        assert.ok(
            error.problems.some((problem) => problem.includes("slackChannel")),
            error.message,
        );
    });

    it("takes decimal numbers as `pulumi config set --path` stores them: as text", () => {
        const config = parseStackConfig("dev", {
            alerting: plain({ thresholds: { errorRate: "0.02" } }),
            slo: plain({ availabilityTarget: "0.995" }),
        });
        assert.equal(config.alerting.thresholds.errorRate, 0.02);
        assert.equal(config.slo.availabilityTarget, 0.995);
    });

    it("refuses an agent latency threshold the seed's histogram cannot reach", () => {
        const error = failure("dev", { alerting: plain({ thresholds: { agentLatencyP95Seconds: 12 } }) });
        assert.match(error.message, /alerting\.thresholds\.agentLatencyP95Seconds: .*10s/);
    });

    it("takes a whole-number CPU as the CLI stores it", () => {
        const config = parseStackConfig("dev", { prometheus: plain({ resources: { requests: { cpu: 2 } } }) });
        assert.equal(config.prometheus.resources.requests.cpu, "2");
    });

    it("lets one run reach Grafana's API elsewhere through STELLA_GRAFANA_API_URL", () => {
        const config = parseStackConfig("dev", {});
        assert.equal(
            withGrafanaApiUrlOverride(config, "http://localhost:3001").grafana.apiUrl,
            "http://localhost:3001",
        );
        assert.equal(withGrafanaApiUrlOverride(config, undefined), config);
        assert.throws(
            () => withGrafanaApiUrlOverride(config, "localhost:3001"),
            /STELLA_GRAFANA_API_URL: expected an http\(s\) URL/,
        );
    });

    it("lets a differently named stack choose its environment", () => {
        assert.equal(parseStackConfig("dev-alice", { environment: plain("dev") }).environment, "dev");
    });

    it("gives Alertmanager its own, soft, anti-affinity", () => {
        const config = parseStackConfig("dev", { prometheus: plain({ podAntiAffinity: "hard" }) });
        assert.equal(config.prometheus.podAntiAffinity, "hard");
        assert.equal(config.alertmanager.podAntiAffinity, "soft");
    });

    it("loads rules from the stack's and STELLA's namespaces unless told otherwise", () => {
        assert.deepEqual(parseStackConfig("dev", {}).prometheus.ruleNamespaces, ["monitoring", "ai-agents"]);
        assert.deepEqual(
            parseStackConfig("dev", { stella: plain({ namespace: "monitoring" }) }).prometheus.ruleNamespaces,
            ["monitoring"],
        );
        assert.deepEqual(
            parseStackConfig("dev", { prometheus: plain({ ruleNamespaces: ["monitoring", "stella-jobs"] }) }).prometheus
                .ruleNamespaces,
            ["monitoring", "stella-jobs"],
        );
        assert.match(
            failure("dev", { prometheus: plain({ ruleNamespaces: ["Bad_NS"] }) }).message,
            /prometheus\.ruleNamespaces\[0\]: expected a DNS label/,
        );
    });

    it("names the cluster label after the context, else the stack", () => {
        assert.equal(parseStackConfig("dev", {}).prometheus.cluster, "dev");
        assert.equal(
            parseStackConfig("dev", { kubernetes: plain({ context: "kind-stella" }) }).prometheus.cluster,
            "kind-stella",
        );
        assert.equal(
            parseStackConfig("dev", {
                kubernetes: plain({ context: "kind-stella" }),
                prometheus: plain({ cluster: "eu-1" }),
            }).prometheus.cluster,
            "eu-1",
        );
    });

    it("falls back to the Prometheus text format for STELLA's scrapes unless told otherwise", () => {
        assert.equal(parseStackConfig("dev", {}).stella.fallbackScrapeProtocol, "PrometheusText0.0.4");
        assert.match(
            failure("dev", { stella: plain({ fallbackScrapeProtocol: "text/html" }) }).message,
            /stella\.fallbackScrapeProtocol: expected one of "PrometheusText0\.0\.4"/,
        );
    });

    it("reports every problem at once", () => {
        const error = failure("dev", { loki: plain({ retention: "x" }), grafana: plain({ url: "y" }) });
        assert.equal(error.problems.length, 2);
    });
});
