// dev: a laptop cluster. No receivers (a warning says so), Loki on a filesystem, traces in memory.

import assert from "node:assert/strict";
import { it } from "node:test";
import { defaultVersions } from "../versions";
import { describeStack, get } from "./stack-harness";

const common = [
    "pulumi:providers:kubernetes kubernetes",
    "kubernetes:core/v1:Namespace monitoring-namespace",
    "stella:monitoring:PrometheusStack prometheus",
    "kubernetes:core/v1:Secret prometheus-receivers",
    "kubernetes:core/v1:Secret prometheus-alertmanager-config",
    "kubernetes:helm.sh/v3:Release prometheus",
    "stella:monitoring:Loki loki",
    "kubernetes:helm.sh/v3:Release loki",
    "stella:monitoring:LogCollector alloy",
    "kubernetes:helm.sh/v3:Release alloy",
    "stella:monitoring:Jaeger jaeger",
    "kubernetes:helm.sh/v3:Release jaeger",
    "stella:monitoring:Grafana grafana",
    "random:index/randomPassword:RandomPassword grafana-admin-password",
    "kubernetes:core/v1:Secret grafana-admin",
    "kubernetes:helm.sh/v3:Release grafana",
    "pulumi:providers:grafana grafana-provider",
    "grafana:oss/folder:Folder grafana-folder",
    "grafana:oss/dataSource:DataSource grafana-datasource-prometheus",
    "grafana:oss/dataSource:DataSource grafana-datasource-loki",
    "grafana:oss/dataSource:DataSource grafana-datasource-jaeger",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-overview",
];
export { common as commonResources };

describeStack("dev", false, {
    versions: {
        "kube-prometheus-stack": defaultVersions.kubePrometheusStack,
        loki: defaultVersions.loki,
        alloy: defaultVersions.alloy,
        jaeger: defaultVersions.jaeger,
        grafana: defaultVersions.grafana,
    },
    resources: common,
    secrets: [],
    extra: ({ result, release }) => {
        it("sends every alert to the null receiver when no receiver is configured", () => {
            const text = result().files.get("alertmanager.yaml") ?? "";
            assert.match(text, /receiver: "null"/);
            assert.doesNotMatch(text, /slack_configs|pagerduty_configs/);
        });
        it("runs one small replica of everything, without persistence where it can do without", () => {
            assert.equal(get(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec.replicas"), 1);
            assert.equal(
                get(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec.storageSpec"),
                undefined,
            );
            assert.equal(get(release("loki"), "values.loki.storage.type"), "filesystem");
            assert.equal(get(release("loki"), "values.loki.schemaConfig.configs.0.object_store"), "filesystem");
            assert.equal(get(release("loki"), "values.chunksCache.enabled"), false);
            assert.deepEqual(get(release("jaeger"), "values.userconfig.extensions.jaeger_storage.backends.primary"), {
                memory: { max_traces: 50000 },
            });
            assert.equal(get(release("grafana"), "values.service.type"), "NodePort");
            assert.equal(get(release("grafana"), "values.ingress.enabled"), false);
        });
    },
});
