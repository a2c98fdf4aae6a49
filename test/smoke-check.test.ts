// The post-deploy smoke checks, derived from the stack outputs the program exports.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serviceTarget, smokeChecks } from "../tools/smoke-check";

describe("smoke checks", () => {
    it("reaches in-cluster services by their Service, namespace and port", () => {
        assert.deepEqual(
            serviceTarget("http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090", "/-/ready"),
            {
                kind: "service",
                namespace: "monitoring",
                service: "kube-prometheus-stack-prometheus",
                port: 9090,
                path: "/-/ready",
            },
        );
        assert.equal(serviceTarget("http://loki-gateway.monitoring.svc.cluster.local", "/ready").port, 80);
        assert.throws(() => serviceTarget("https://grafana.example.com", "/"), /not an in-cluster service URL/);
    });

    it("checks every component from the rendered outputs of a stack", () => {
        const checks = smokeChecks({
            grafanaUrl: "https://grafana.example.com/",
            prometheusUrl: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
            alertmanagerUrl: "http://kube-prometheus-stack-alertmanager.monitoring.svc.cluster.local:9093",
            lokiPushUrl: "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push",
            jaegerQueryUrl: "http://jaeger.monitoring.svc.cluster.local:16686",
        });
        const describe = (check: (typeof checks)[number]) =>
            check.target.kind === "url"
                ? check.target.url
                : `${check.target.namespace}/${check.target.service}:${check.target.port}${check.target.path}`;
        assert.deepEqual(
            checks.map((check) => [check.name, describe(check)]),
            [
                ["Grafana", "https://grafana.example.com/api/health"],
                ["Prometheus", "monitoring/kube-prometheus-stack-prometheus:9090/-/ready"],
                ["Alertmanager", "monitoring/kube-prometheus-stack-alertmanager:9093/-/ready"],
                ["Loki", "monitoring/loki:3100/ready"],
                ["Jaeger", "monitoring/jaeger:16686/api/services"],
            ],
        );
    });

    it("names a missing output", () => {
        assert.throws(() => smokeChecks({ grafanaUrl: "https://g" }), /stack output prometheusUrl is missing/);
    });
});
