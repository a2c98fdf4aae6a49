// The post-deploy smoke checks, derived from the stack outputs the program exports.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serviceProxyPath, smokeChecks } from "../tools/smoke-check";

describe("smoke checks", () => {
    it("reaches in-cluster services through the API server's proxy", () => {
        assert.equal(
            serviceProxyPath("http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090", "/-/ready"),
            "/api/v1/namespaces/monitoring/services/http:kube-prometheus-stack-prometheus:9090/proxy/-/ready",
        );
        assert.throws(() => serviceProxyPath("https://grafana.example.com", "/"), /not an in-cluster service URL/);
    });

    it("checks every component from the rendered outputs of a stack", () => {
        const checks = smokeChecks({
            grafanaUrl: "https://grafana.example.com/",
            prometheusUrl: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
            alertmanagerUrl: "http://kube-prometheus-stack-alertmanager.monitoring.svc.cluster.local:9093",
            lokiPushUrl: "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push",
            jaegerQueryUrl: "http://jaeger.monitoring.svc.cluster.local:16686",
        });
        assert.deepEqual(
            checks.map((check) => [check.name, check.target.kind === "url" ? check.target.url : check.target.path]),
            [
                ["Grafana", "https://grafana.example.com/api/health"],
                [
                    "Prometheus",
                    "/api/v1/namespaces/monitoring/services/http:kube-prometheus-stack-prometheus:9090/proxy/-/ready",
                ],
                [
                    "Alertmanager",
                    "/api/v1/namespaces/monitoring/services/http:kube-prometheus-stack-alertmanager:9093/proxy/-/ready",
                ],
                ["Loki", "/api/v1/namespaces/monitoring/services/http:loki:3100/proxy/ready"],
                ["Jaeger", "/api/v1/namespaces/monitoring/services/http:jaeger:16686/proxy/api/services"],
            ],
        );
    });

    it("names a missing output", () => {
        assert.throws(() => smokeChecks({ grafanaUrl: "https://g" }), /stack output prometheusUrl is missing/);
    });
});
