// Grafana's Helm values and data sources, built directly.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStackConfig } from "../config";
import { grafanaDataSources } from "../components/grafana-datasources";
import { grafanaValues } from "../components/grafana-values";
import { datasourceUids } from "../catalogue";
import { valueAt } from "../config/paths";

const dev = parseStackConfig("dev", {});

describe("grafana", () => {
    it("takes the admin credentials from the existing Secret and keeps anonymous access off", () => {
        const values = grafanaValues({ grafana: dev.grafana, adminSecretName: "grafana-admin" });
        assert.deepEqual(values.admin, {
            existingSecret: "grafana-admin",
            userKey: "admin-user",
            passwordKey: "admin-password",
        });
        assert.deepEqual((values["grafana.ini"] as Record<string, unknown>)["auth.anonymous"], { enabled: false });
        assert.equal(valueAt(values["grafana.ini"], "server.root_url"), "http://localhost:3000");
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
