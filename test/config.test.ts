// The config layer: defaults, the documented defaults in Pulumi.yaml, and a table of bad configs,
// each of which must fail with its key named, before anything is registered.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
    ConfigError,
    defaultConfigValues,
    parseStackConfig,
    withGrafanaApiUrlOverride,
    type RawEntry,
} from "../config";

const plain = (value: unknown): RawEntry => ({ value, secret: false });
const secret = (value: unknown): RawEntry => ({ value, secret: true });

/** Valid prod config with canary secrets; each bad case changes one thing. */
function prodEntries(): Record<string, RawEntry> {
    return {
        alerting: secret({
            slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/CANARYSLACK",
            pagerdutyRoutingKey: "CANARYPAGERDUTY0123456789",
            heartbeatUrl: "https://hc-ping.example.com/CANARYHEARTBEAT",
            runbookBaseUrl: "https://git.example.org/sre/stella-monitoring/blob/main/docs/runbooks",
        }),
        loki: secret({
            replicas: 3,
            objectStorage: {
                region: "eu-central-1",
                bucketNames: { chunks: "chunks", ruler: "ruler", admin: "admin" },
                accessKeyId: "AKIA",
                secretAccessKey: "CANARY-S3",
            },
        }),
        jaeger: secret({
            storage: { type: "opensearch", serverUrls: ["https://os:9200"], username: "jaeger", password: "CANARY-ES" },
        }),
    };
}

function failure(stack: string, entries: Record<string, RawEntry>): ConfigError {
    try {
        parseStackConfig(stack, entries);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the config to be refused");
}

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

    it("turns every secret into a secret Output", async () => {
        const config = parseStackConfig("prod", prodEntries());
        for (const output of [
            config.alerting.slackWebhookUrl,
            config.alerting.pagerdutyRoutingKey,
            config.loki.objectStorage?.secretAccessKey,
            config.jaeger.storage.password,
        ]) {
            assert.ok(output !== undefined && pulumi.Output.isInstance(output));
            assert.equal(await pulumi.isSecret(output), true);
        }
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

    for (const missing of ["alerting.slackWebhookUrl", "alerting.pagerdutyRoutingKey"]) {
        for (const stack of ["staging", "prod"]) {
            it(`refuses ${stack} without ${missing}, naming it`, () => {
                const entries = prodEntries();
                const alerting = { ...(entries.alerting?.value as Record<string, unknown>) };
                delete alerting[missing.split(".")[1] as string];
                const error = failure(stack, { ...entries, alerting: secret(alerting) });
                assert.ok(
                    error.problems.some((problem) => problem.startsWith(`${missing}: required in ${stack}`)),
                    error.message,
                );
            });
        }
    }

    it("refuses prod without alerting.heartbeatUrl, naming it; staging may run without one", () => {
        const entries = prodEntries();
        const alerting = { ...(entries.alerting?.value as Record<string, unknown>) };
        delete alerting.heartbeatUrl;
        const error = failure("prod", { ...entries, alerting: secret(alerting) });
        const line = error.problems.find((problem) => problem.startsWith("alerting.heartbeatUrl: required in prod"));
        assert.ok(line, error.message);
        assert.match(line, /pulumi config set --secret --path alerting\.heartbeatUrl/);
        assert.equal(
            parseStackConfig("staging", { ...entries, alerting: secret(alerting) }).alerting.heartbeatUrl,
            undefined,
        );
    });

    it("takes the heartbeat URL as a secret only, and only as a URL", () => {
        const entries = prodEntries();
        const alerting = entries.alerting?.value as Record<string, unknown>;
        const inPlainText = failure("prod", { ...entries, alerting: plain(alerting) });
        assert.ok(
            inPlainText.problems.some((problem) =>
                problem.startsWith("alerting.heartbeatUrl: must be set as a secret"),
            ),
        );
        const notAUrl = failure("prod", { ...entries, alerting: secret({ ...alerting, heartbeatUrl: "CANARY" }) });
        assert.ok(
            notAUrl.problems.some((problem) => problem.startsWith("alerting.heartbeatUrl:")),
            notAUrl.message,
        );
        assert.doesNotMatch(notAUrl.message, /CANARY/, "a secret value leaked into the error");
    });

    it("refuses alerting.slackChannel: the channel is the Slack webhook's", () => {
        const entries = prodEntries();
        const alerting = { ...(entries.alerting?.value as Record<string, unknown>), slackChannel: "#stella-alerts" };
        const error = failure("prod", { ...entries, alerting: secret(alerting) });
        assert.ok(
            error.problems.some((problem) => problem.includes("slackChannel")),
            error.message,
        );
    });

    it("refuses prod without object storage and with in-memory traces", () => {
        const error = failure("prod", { alerting: prodEntries().alerting as RawEntry });
        assert.ok(error.problems.some((problem) => problem.startsWith("loki.objectStorage: required in prod")));
        assert.ok(error.problems.some((problem) => problem.startsWith('jaeger.storage.type: "memory"')));
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

    it("refuses replicated Grafana without a database, and a database without its password", () => {
        const error = failure("dev", {
            grafana: plain({ replicas: 2, persistence: { enabled: true } }),
        });
        assert.ok(
            error.problems.some((problem) =>
                problem.startsWith("grafana.replicas: more than one replica needs grafana.database"),
            ),
        );
        assert.ok(error.problems.some((problem) => problem.startsWith("grafana.persistence.enabled:")));
        const noPassword = failure("dev", {
            grafana: plain({ database: { type: "postgres", host: "pg:5432", name: "grafana", user: "grafana" } }),
        });
        assert.ok(noPassword.problems.some((problem) => problem.startsWith("grafana.database.password: required")));
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

    for (const stack of ["staging", "prod"]) {
        it(`refuses ${stack} with the placeholder runbook host, naming alerting.runbookBaseUrl`, () => {
            const entries = prodEntries();
            const alerting = { ...(entries.alerting?.value as Record<string, unknown>) };
            delete alerting.runbookBaseUrl;
            const error = failure(stack, { ...entries, alerting: secret(alerting) });
            assert.deepEqual(
                error.problems.filter((problem) => problem.startsWith("alerting.runbookBaseUrl:")).length,
                1,
                error.message,
            );
            assert.match(error.message, /alerting\.runbookBaseUrl: .*placeholder https:\/\/git\.stella\.example\.com/);
            parseStackConfig(stack, entries);
        });
    }

    it("lets dev keep the placeholder runbook host", () => {
        assert.match(parseStackConfig("dev", {}).alerting.runbookBaseUrl, /git\.stella\.example\.com/);
    });

    it("refuses a retention size above 85% of Prometheus' volume, naming both keys", () => {
        const withRetention = (retentionSize: string, size: string) =>
            plain({ retentionSize, storage: { enabled: true, size } });
        // Prometheus counts 1GB as 1GiB: 90GB on 100Gi is 90%, 85GB exactly 85%.
        const error = failure("dev", { prometheus: withRetention("90GB", "100Gi") });
        assert.deepEqual(error.problems, [
            "prometheus.retentionSize: 90GB is 90% of prometheus.storage.size 100Gi; at most 85% (here 85GB), so that compaction and the WAL have room (Prometheus counts 1GB as 1Gi)",
        ]);
        assert.match(
            failure("dev", { prometheus: withRetention("18GB", "20Gi") }).message,
            /90% of prometheus\.storage\.size 20Gi/,
        );
        // Decimal volumes are smaller than their binary names: 85GB of a 100G volume is 91%.
        assert.match(failure("dev", { prometheus: withRetention("85GB", "100G") }).message, /91%/);
        assert.match(failure("dev", { prometheus: withRetention("1TB", "1000Gi") }).message, /102%/);
        parseStackConfig("dev", { prometheus: withRetention("85GB", "100Gi") });
        parseStackConfig("dev", { prometheus: withRetention("16GB", "20Gi") });
        parseStackConfig("dev", { prometheus: withRetention("850MB", "1Gi") });
        // Without a volume (emptyDir) there is no size to compare with.
        parseStackConfig("dev", { prometheus: plain({ retentionSize: "90GB", storage: { size: "10Gi" } }) });
    });

    it("refuses a kube-prometheus-stack and CRD pair not known to carry the same operator, naming both keys", () => {
        const mismatch = failure("dev", { versions: plain({ prometheusOperatorCrds: "30.0.1" }) });
        assert.deepEqual(mismatch.problems, [
            "versions.kubePrometheusStack 88.5.3 and versions.prometheusOperatorCrds 30.0.1 do not match: the operator v0.93.1 would read the CRDs of v0.92.1; pin prometheusOperatorCrds 31.0.1",
        ]);
        const unknown = failure("dev", { versions: plain({ kubePrometheusStack: "89.0.0" }) });
        assert.match(
            unknown.message,
            /versions\.kubePrometheusStack 89\.0\.0 and versions\.prometheusOperatorCrds 31\.0\.1: not a pair known .*versions\.kubePrometheusStack is not in operatorVersions/,
        );
        // kube-prometheus-stack 88.3.0 still ran v0.93.0 while prometheus-operator-crds 31.0.1 was v0.93.1.
        assert.match(
            failure("dev", { versions: plain({ kubePrometheusStack: "88.3.0" }) }).message,
            /pin prometheusOperatorCrds 31\.0\.0/,
        );
        parseStackConfig("dev", {
            versions: plain({ kubePrometheusStack: "87.21.0", prometheusOperatorCrds: "30.0.1" }),
        });
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

    it("takes remote-write credentials only as secrets, never echoing them", async () => {
        const target = { name: "mimir", url: "https://mimir.example.com/api/v1/push" };
        const config = parseStackConfig("dev", {
            prometheus: secret({
                remoteWrite: [
                    {
                        ...target,
                        headers: { "X-Scope-OrgID": "stella-dev" },
                        basicAuth: { username: "u", password: "CANARY-RW" },
                    },
                    { name: "thanos", url: "https://thanos.example.com/api/v1/receive", bearerToken: "CANARY-TOKEN" },
                ],
            }),
        });
        const [mimir, thanos] = config.prometheus.remoteWrite;
        assert.deepEqual(mimir?.headers, { "X-Scope-OrgID": "stella-dev" });
        assert.ok(mimir?.basicAuth !== undefined && pulumi.Output.isInstance(mimir.basicAuth.password));
        assert.equal(await pulumi.isSecret(mimir.basicAuth.password), true);
        assert.ok(thanos?.bearerToken !== undefined && (await pulumi.isSecret(thanos.bearerToken)));

        const plainText = failure("dev", {
            prometheus: plain({ remoteWrite: [{ ...target, bearerToken: "CANARY-TOKEN" }] }),
        });
        assert.match(plainText.message, /prometheus\.remoteWrite\[0\]\.bearerToken: must be set as a secret/);
        const both = failure("dev", {
            prometheus: secret({
                remoteWrite: [
                    { ...target, bearerToken: "CANARY-T", basicAuth: { username: "u", password: "CANARY-P" } },
                ],
            }),
        });
        assert.match(both.message, /prometheus\.remoteWrite\[0\]\.bearerToken: set basicAuth or bearerToken, not both/);
        const noPassword = failure("dev", {
            prometheus: plain({ remoteWrite: [{ ...target, basicAuth: { username: "u" } }] }),
        });
        assert.match(noPassword.message, /prometheus\.remoteWrite\[0\]\.basicAuth\.password: required with basicAuth/);
        const wrongType = failure("dev", { prometheus: secret({ remoteWrite: [{ ...target, bearerToken: 12345 }] }) });
        assert.match(
            wrongType.message,
            /prometheus\.remoteWrite\[0\]\.bearerToken: expected text, got a number \(value not shown: it is a secret\)/,
        );
        const header = failure("dev", {
            prometheus: plain({ remoteWrite: [{ ...target, headers: { Authorization: "Bearer x" } }] }),
        });
        assert.match(
            header.message,
            /prometheus\.remoteWrite\[0\]\.headers\.Authorization: .*bearerToken or basicAuth/,
        );
        const twice = failure("dev", {
            prometheus: plain({ remoteWrite: [target, { ...target, url: "https://b.example.com/push" }] }),
        });
        assert.match(twice.message, /prometheus\.remoteWrite\[1\]\.name: "mimir" names another target already/);
        for (const error of [plainText, both, wrongType, header]) assert.doesNotMatch(error.message, /CANARY|12345/);
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
