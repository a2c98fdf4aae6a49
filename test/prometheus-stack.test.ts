// kube-prometheus-stack's values as prometheusStackValues builds them from what it is given: the rules and
// PodMonitors land where the chart takes them, Alertmanager loads our config Secret as is, remote-write
// credentials stay by reference, and the replicas decide the disruption budgets. No Pulumi engine: the
// builder is pure.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig, type StackConfig } from "../config";
import { rulesContext, stellaRuleGroups } from "../alerts/rules";
import { jaegerPodMonitor } from "../components/jaeger";
import { prometheusStackRelease, prometheusStackValues } from "../components/prometheus-stack";
import { podMonitorManifest, stellaPodMonitors } from "../components/prometheus-specs";
import { stellaJobs } from "../catalogue";
import { valueAt } from "../config/paths";

const secretNames = {
    remoteWriteSecretName: "rw-secret",
    receiverSecretName: "receivers-secret",
    alertmanagerConfigSecretName: "am-config-secret",
};

function valuesFor(config: StackConfig, additionalScrapeConfigs?: Record<string, unknown>[]) {
    const ruleGroups = stellaRuleGroups(rulesContext(config));
    const podMonitors = [
        ...stellaPodMonitors(config.stella, config.prometheus.scrapeInterval),
        jaegerPodMonitor(config.kubernetes.namespace, config.prometheus.scrapeInterval),
    ];
    const values = prometheusStackValues({
        ...secretNames,
        prometheus: config.prometheus,
        alertmanager: config.alertmanager,
        environment: config.environment,
        ruleGroups,
        additionalScrapeConfigs,
    });
    return { values, ruleGroups, podMonitors };
}

describe("prometheusStackValues, dev defaults", () => {
    const config = parseStackConfig("dev", {});
    const { values, ruleGroups, podMonitors } = valuesFor(config);
    const spec = valueAt(values, "prometheus.prometheusSpec") as Record<string, unknown>;

    it("names everything after the release and leaves the CRDs and Grafana to their own releases", () => {
        assert.equal(values.fullnameOverride, prometheusStackRelease);
        assert.deepEqual(values.crds, { enabled: false });
        assert.equal(valueAt(values, "grafana.enabled"), false);
        assert.equal(valueAt(values, "grafana.forceDeployDashboards"), true);
    });

    it("installs exactly the rule groups it is given, under the chart's additionalPrometheusRulesMap", () => {
        assert.deepEqual(valueAt(values, "additionalPrometheusRulesMap.stella.groups"), ruleGroups);
        assert.deepEqual(Object.keys(valueAt(values, "additionalPrometheusRulesMap") as object), ["stella"]);
        assert.deepEqual(
            ruleGroups.map((group) => group.name),
            ["stella-backend", "stella-agents", "stella-monitoring-stack", "stella-scrape-limits"],
        );
    });

    it("leaves the PodMonitors out of the chart's values: the chart would write sampleLimit twice", () => {
        assert.equal(valueAt(values, "prometheus.additionalPodMonitors"), undefined);
    });

    it("makes each PodMonitor an object of its own, STELLA's with the jobs the rules select and their limits", () => {
        const manifests = podMonitors.map((monitor) => podMonitorManifest(monitor, "monitoring"));
        assert.deepEqual(
            manifests.map((manifest) => [manifest.kind, manifest.metadata.name, manifest.metadata.namespace]),
            [
                ["PodMonitor", stellaJobs.backend, "monitoring"],
                ["PodMonitor", stellaJobs.agents, "monitoring"],
                ["PodMonitor", "jaeger", "monitoring"],
            ],
        );
        const backend = manifests[0]?.spec;
        assert.deepEqual(backend?.namespaceSelector, { matchNames: [config.stella.namespace] });
        assert.deepEqual(backend?.podMetricsEndpoints[0]?.relabelings, [
            { targetLabel: "job", replacement: stellaJobs.backend },
        ]);
        assert.equal(backend?.sampleLimit, config.stella.scrapeLimits.backend.samples);
        assert.equal(backend?.labelValueLengthLimit, config.stella.scrapeLimits.backend.labelValueLength);
        assert.equal("name" in (backend ?? {}), false, "the name is metadata, not spec");
    });

    it("loads Alertmanager's config from our Secret as is, and mounts the receiver credentials", () => {
        const alertmanagerSpec = valueAt(values, "alertmanager.alertmanagerSpec") as Record<string, unknown>;
        assert.equal(alertmanagerSpec.useExistingSecret, true);
        assert.equal(alertmanagerSpec.configSecret, secretNames.alertmanagerConfigSecretName);
        assert.deepEqual(alertmanagerSpec.secrets, [secretNames.receiverSecretName]);
        assert.deepEqual(alertmanagerSpec.alertmanagerConfigSelector, {
            matchLabels: { "stella-monitoring/merge-into-alertmanager": "true" },
        });
    });

    it("labels every series with cluster and environment, and loads rules only from the namespaces named", () => {
        assert.deepEqual(spec.externalLabels, { cluster: config.prometheus.cluster, environment: "dev" });
        assert.deepEqual(spec.ruleNamespaceSelector, {
            matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: [...config.prometheus.ruleNamespaces] },
            ],
        });
        assert.ok(config.prometheus.ruleNamespaces.includes(config.stella.namespace));
        for (const key of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"])
            assert.equal(spec[`${key}SelectorNilUsesHelmValues`], false, key);
    });

    it("one replica: no disruption budget, no remote write, no extra scrape configs", () => {
        assert.equal(spec.replicas, 1);
        assert.equal(valueAt(values, "prometheus.podDisruptionBudget.enabled"), false);
        assert.equal(valueAt(values, "alertmanager.podDisruptionBudget.enabled"), false);
        assert.equal("remoteWrite" in spec, false);
        assert.equal("additionalScrapeConfigs" in spec, false);
        assert.equal("retentionSize" in spec, false);
    });
});

describe("prometheusStackValues, two replicas with remote write", () => {
    const config = parseStackConfig("dev", {
        prometheus: {
            value: {
                replicas: 2,
                retentionSize: "9GB",
                remoteWrite: [
                    { name: "mimir", url: "https://mimir.example.org/api/v1/push", bearerToken: "token-123" },
                ],
            },
            secret: true,
        },
        alertmanager: { value: { replicas: 2 }, secret: false },
    });
    const scrape = [{ job_name: "probe" }];
    const { values } = valuesFor(config, scrape);
    const spec = valueAt(values, "prometheus.prometheusSpec") as Record<string, unknown>;

    it("keeps a replica through evictions", () => {
        assert.equal(spec.replicas, 2);
        assert.deepEqual(valueAt(values, "prometheus.podDisruptionBudget"), { enabled: true, minAvailable: 1 });
        assert.deepEqual(valueAt(values, "alertmanager.podDisruptionBudget"), { enabled: true, minAvailable: 1 });
        assert.equal(spec.retentionSize, "9GB");
    });

    it("writes remotely with the token by reference to the remote-write Secret, never inline", () => {
        assert.deepEqual(spec.remoteWrite, [
            {
                name: "mimir",
                url: "https://mimir.example.org/api/v1/push",
                authorization: {
                    type: "Bearer",
                    credentials: { name: secretNames.remoteWriteSecretName, key: "mimir-bearer-token" },
                },
            },
        ]);
        assert.ok(!JSON.stringify(values).includes("token-123"), "the token is inline in the values");
    });

    it("passes the additional scrape configs through", () => {
        assert.deepEqual(spec.additionalScrapeConfigs, scrape);
    });
});
