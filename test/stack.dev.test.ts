// dev: a laptop cluster. No receivers (a warning says so), Loki on a filesystem, traces in memory.

import assert from "node:assert/strict";
import { it } from "node:test";
import { defaultVersions } from "../versions";
import { valueAt } from "../config/paths";
import { devResources } from "./support/stack-fixtures";
import { describeStack } from "./support/stack-harness";

describeStack("dev", false, {
    versions: {
        "kube-prometheus-stack": defaultVersions.kubePrometheusStack,
        "kube-prometheus-stack-crds": defaultVersions.prometheusOperatorCrds,
        loki: defaultVersions.loki,
        alloy: defaultVersions.alloy,
        jaeger: defaultVersions.jaeger,
        "blackbox-exporter": defaultVersions.blackboxExporter,
        grafana: defaultVersions.grafana,
    },
    resources: devResources,
    secrets: [],
    extra: ({ result, release }) => {
        it("keeps Grafana's database on a volume, so a new pod still has the data sources and dashboards", () => {
            assert.deepEqual(valueAt(release("grafana"), "values.persistence"), {
                enabled: true,
                type: "pvc",
                size: "1Gi",
                accessModes: ["ReadWriteOnce"],
            });
            assert.deepEqual(valueAt(release("grafana"), "values.deploymentStrategy"), { type: "Recreate" });
        });
        it("refuses to replace the admin password that Grafana's database keeps (protect)", () => {
            const protectedNames = result()
                .resources.filter((r) => r.protect)
                .map((r) => `${r.type} ${r.name}`);
            assert.deepEqual(protectedNames, ["random:index/randomPassword:RandomPassword grafana-admin-password"]);
        });
        it("sends every alert to the null receiver when no receiver is configured", () => {
            const text = result().files.get("alertmanager.yaml") ?? "";
            assert.match(text, /receiver: "null"/);
            assert.doesNotMatch(text, /slack_configs|pagerduty_configs/);
        });
        it("runs one small replica of everything, without persistence where it can do without", () => {
            assert.equal(valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec.replicas"), 1);
            assert.equal(
                valueAt(release("kube-prometheus-stack"), "values.prometheus.prometheusSpec.storageSpec"),
                undefined,
            );
            assert.equal(valueAt(release("loki"), "values.loki.storage.type"), "filesystem");
            assert.equal(valueAt(release("loki"), "values.loki.schemaConfig.configs.0.object_store"), "filesystem");
            assert.equal(valueAt(release("loki"), "values.chunksCache.enabled"), false);
            assert.deepEqual(
                valueAt(release("jaeger"), "values.userconfig.extensions.jaeger_storage.backends.primary"),
                {
                    memory: { max_traces: 8192 },
                },
            );
            assert.equal(valueAt(release("grafana"), "values.service.type"), "NodePort");
            assert.equal(valueAt(release("grafana"), "values.ingress.enabled"), false);
        });
    },
});
