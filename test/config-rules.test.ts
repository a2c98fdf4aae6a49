// The rules between keys and per environment (config/rules.ts): what staging and prod require, what a
// key requires or is only valid with, and the warnings the stack logs. Their messages are pinned word
// for word: people act on them.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig, type RawEntry } from "../config/parse";
import { configWarnings } from "../config/rules";
import { failure, plain, prodEntries, secret } from "./support/config-fixtures";

describe("config rules", () => {
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

    it("refuses prod without object storage and with in-memory traces", () => {
        const error = failure("prod", { alerting: prodEntries().alerting as RawEntry });
        assert.ok(error.problems.some((problem) => problem.startsWith("loki.objectStorage: required in prod")));
        assert.ok(error.problems.some((problem) => problem.startsWith('jaeger.storage.type: "memory"')));
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

    describe("words every problem as before, in the table's order", () => {
        /** The config is refused with exactly these problems, worded and ordered as listed. */
        const assertProblems = (stack: string, entries: Record<string, RawEntry>, problems: string[]) =>
            assert.deepEqual(failure(stack, entries).problems, problems);

        it("staging, half set: the plain-text secret first, then the environment, then each remote-write target", () => {
            assertProblems(
                "staging",
                {
                    alerting: plain({ slackWebhookUrl: "https://hooks.slack.com/services/x" }),
                    prometheus: plain({
                        remoteWrite: [
                            { name: "a", url: "https://a.example.com", bearerToken: "t" },
                            { name: "a", url: "https://b.example.com", basicAuth: { username: "u" } },
                        ],
                    }),
                },
                [
                    "alerting.slackWebhookUrl: must be set as a secret: pulumi config set --secret --path alerting.slackWebhookUrl <value>",
                    "prometheus.remoteWrite[0].bearerToken: must be set as a secret: pulumi config set --secret --path 'prometheus.remoteWrite[0].bearerToken' <value>",
                    "alerting.pagerdutyRoutingKey: required in staging; set it with: pulumi config set --secret --path alerting.pagerdutyRoutingKey <value> (offline render: --secret alerting.pagerdutyRoutingKey=<value>)",
                    "loki.objectStorage: required in staging: logs must live in S3-compatible object storage",
                    'jaeger.storage.type: "memory" loses every trace on restart; staging needs "elasticsearch" or "opensearch"',
                    "alerting.runbookBaseUrl: staging must not keep the placeholder https://git.stella.example.com/sre/stella-monitoring/blob/main/docs/runbooks: every alert links there; set it to where docs/runbooks is browsed",
                    'prometheus.remoteWrite[1].name: "a" names another target already; each needs its own name',
                    "prometheus.remoteWrite[1].basicAuth.password: required with basicAuth; set it with: pulumi config set --secret --path prometheus.remoteWrite[1].basicAuth.password <value> (offline render: --secret prometheus.remoteWrite[1].basicAuth.password=<value>)",
                ],
            );
        });

        it("Loki and Jaeger on a filesystem and in memory, scaled up", () => {
            assertProblems(
                "dev",
                {
                    loki: plain({
                        mode: "distributed",
                        replicas: 2,
                        limits: { ingestionRateMb: 10, ingestionBurstSizeMb: 5 },
                    }),
                    jaeger: plain({ replicas: 2, storage: { username: "u" } }),
                },
                [
                    'loki.mode: "distributed" needs loki.objectStorage (its components share the store)',
                    "loki.limits.ingestionBurstSizeMb: 5 is below loki.limits.ingestionRateMb (10); the burst must be at least the rate",
                    "loki.replicas: more than one Loki replica needs loki.objectStorage (the chart refuses it otherwise)",
                    'jaeger.replicas: in-memory storage is per pod; more than one replica needs jaeger.storage.type "elasticsearch" or "opensearch"',
                    "jaeger.storage.password: required with jaeger.storage.username; set it with: pulumi config set --secret --path jaeger.storage.password <value> (offline render: --secret jaeger.storage.password=<value>)",
                ],
            );
        });

        it("a store without its URLs or user, Grafana scaled up on a volume, misplaced Service and TLS keys", () => {
            assertProblems(
                "dev",
                {
                    jaeger: secret({ storage: { type: "elasticsearch", password: "p" } }),
                    grafana: plain({
                        replicas: 2,
                        persistence: { enabled: true },
                        service: { nodePort: 30300 },
                        ingress: { certManagerClusterIssuer: "le", tlsSecretName: "tls" },
                    }),
                },
                [
                    'jaeger.storage.serverUrls: required when jaeger.storage.type is "elasticsearch"',
                    "jaeger.storage.username: required when jaeger.storage.password is set",
                    "grafana.replicas: more than one replica needs grafana.database (sqlite is per pod)",
                    "grafana.persistence.enabled: replicas share grafana.database, not a ReadWriteOnce volume; turn persistence off",
                    'grafana.service.nodePort: only valid with grafana.service.type "NodePort"',
                    "grafana.ingress.tlsSecretName: only valid with grafana.ingress.enabled true",
                ],
            );
        });

        it("GitHub sign-on with OIDC's and Google's keys and a group in two roles", () => {
            assertProblems(
                "dev",
                {
                    grafana: plain({
                        sso: {
                            provider: "github",
                            clientId: "x",
                            allowedGroups: ["a"],
                            oidc: {
                                issuer: "https://i.example.com",
                                authorizeEndpoint: "/a",
                                tokenEndpoint: "/t",
                                userinfoEndpoint: "/u",
                            },
                            roles: { admin: ["g"], viewer: ["g"] },
                        },
                    }),
                },
                [
                    "grafana.sso.clientSecret: required with grafana.sso; set it with: pulumi config set --secret --path grafana.sso.clientSecret <value> (offline render: --secret grafana.sso.clientSecret=<value>)",
                    'grafana.sso.oidc: only valid with grafana.sso.provider "oidc", not "github"',
                    'grafana.sso.allowedOrganizations: required with grafana.sso.provider "github": without it every GitHub account signs in',
                    "grafana.sso.allowedGroups: GitHub has no groups to allow; use grafana.sso.allowedOrganizations (teams such as @org/team go in grafana.sso.roles)",
                    'grafana.sso.roles.viewer: group "g" is also in grafana.sso.roles.admin; give each group one role',
                ],
            );
        });

        it("OIDC sign-on without its issuer, with GitHub's organizations", () => {
            assertProblems(
                "dev",
                {
                    grafana: secret({
                        sso: { provider: "oidc", clientId: "x", clientSecret: "s", allowedOrganizations: ["o"] },
                    }),
                },
                [
                    'grafana.sso.oidc: required with grafana.sso.provider "oidc": issuer, authorizeEndpoint, tokenEndpoint, userinfoEndpoint (from the issuer\'s /.well-known/openid-configuration)',
                    'grafana.sso.allowedOrganizations: only valid with grafana.sso.provider "github"',
                ],
            );
        });

        it("Google sign-on letting everyone in, a database without its password", () => {
            assertProblems(
                "dev",
                {
                    grafana: secret({
                        sso: { provider: "google", clientId: "x", clientSecret: "s" },
                        database: { type: "postgres", host: "pg:5432", name: "g", user: "g" },
                    }),
                },
                [
                    "grafana.database.password: required with grafana.database; set it with: pulumi config set --secret --path grafana.database.password <value> (offline render: --secret grafana.database.password=<value>)",
                    'grafana.sso.allowedDomains: required with grafana.sso.provider "google" (or grafana.sso.allowedGroups): without either every Google account signs in',
                ],
            );
        });
    });

    it("warns about a stack without Slack, staging without a heartbeat, Slack without PagerDuty, in that order", () => {
        const slackWarning =
            "alerting.slackWebhookUrl is not set: Alertmanager has no external receivers and drops every alert. " +
            "Set it with: pulumi config set --secret --path alerting.slackWebhookUrl <url>";
        const heartbeatWarning =
            "alerting.heartbeatUrl is not set: nothing pages when Prometheus or Alertmanager itself dies. " +
            "Point it at a dead man's switch (healthchecks.io, Cronitor, PagerDuty heartbeat): " +
            "pulumi config set --secret --path alerting.heartbeatUrl <url>";
        const pagerdutyWarning =
            "alerting.pagerdutyRoutingKey is not set: critical alerts go to Slack only, nobody is paged.";
        assert.deepEqual(configWarnings(parseStackConfig("dev", {})), [slackWarning]);
        const slackOnly = secret({ slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/x" });
        assert.deepEqual(configWarnings(parseStackConfig("dev", { alerting: slackOnly })), [pagerdutyWarning]);
        const entries = prodEntries();
        const alerting = { ...(entries.alerting?.value as Record<string, unknown>) };
        assert.deepEqual(configWarnings(parseStackConfig("prod", entries)), []);
        assert.deepEqual(configWarnings(parseStackConfig("staging", entries)), []);
        delete alerting.heartbeatUrl;
        const noHeartbeat: Record<string, RawEntry> = { ...entries, alerting: secret(alerting) };
        assert.deepEqual(configWarnings(parseStackConfig("staging", noHeartbeat)), [heartbeatWarning]);
        // dev is not told: it runs without a heartbeat by design.
        assert.deepEqual(configWarnings(parseStackConfig("dev", noHeartbeat)), []);
        // Staging must have Slack and PagerDuty, so all three at once only show on a differently named stack.
        const bare = parseStackConfig("staging", noHeartbeat);
        const withoutReceivers = { ...bare.alerting, slackWebhookUrl: undefined, pagerdutyRoutingKey: undefined };
        assert.deepEqual(configWarnings({ ...bare, alerting: withoutReceivers }), [slackWarning, heartbeatWarning]);
    });
});
