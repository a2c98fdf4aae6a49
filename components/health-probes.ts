// HealthProbes: the Blackbox exporter (chart prometheus-blackbox-exporter), through which Prometheus
// calls /health (liveness) and /health/ready (readiness, which checks the database) on every backend
// pod. Each pod is probed directly, found by Kubernetes service discovery: through the Service, an
// unready pod would be skipped and "no pod ready" would look like "backend gone".

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { mergeValues, releaseArgs, type HelmValues, type ChartComponentArgs } from "./helm";
import { healthProbeJob } from "../catalogue";

/** The Blackbox exporter needs nothing beyond a chart component's own arguments. */
export type HealthProbesArgs = ChartComponentArgs;

/** The Helm release, also the exporter's Service name: the scrape configs address the exporter by it. */
export const blackboxRelease = "blackbox-exporter";

/** The port the exporter listens on. */
export const blackboxPort = 9115;

/** host:port of the Blackbox exporter's Service. */
export function blackboxAddress(namespace: string): string {
    return `${blackboxRelease}.${namespace}.svc:${blackboxPort}`;
}

/** The Blackbox exporter chart's values. Pure. */
export function blackboxExporterValues(releaseName: string): HelmValues {
    return {
        fullnameOverride: releaseName,
        // The chart's default config has the http_2xx module the probes use.
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        releaseLabel: false,
    };
}

/**
 * Prometheus scrape configs (kube-prometheus-stack's additionalScrapeConfigs) that probe every running
 * backend pod's health endpoints through the Blackbox exporter. Samples: probe_success{job, probe,
 * namespace, pod}. Pure.
 */
export function healthScrapeConfigs(args: { stella: StackConfig["stella"]; blackbox: string; interval: string }) {
    const { backend, namespace } = args.stella;
    const probe = (name: "liveness" | "readiness", path: string) => ({
        job_name: `stella-backend-${name}`,
        metrics_path: "/probe",
        params: { module: ["http_2xx"] },
        scrape_interval: args.interval,
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] } }],
        relabel_configs: [
            { source_labels: ["__meta_kubernetes_pod_label_app"], regex: backend.appLabel, action: "keep" },
            { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Running", action: "keep" },
            // One target per pod, not one per declared port.
            {
                source_labels: ["__meta_kubernetes_pod_container_port_number"],
                regex: String(backend.port),
                action: "keep",
            },
            {
                source_labels: ["__meta_kubernetes_pod_ip"],
                regex: "(.+)",
                target_label: "__param_target",
                replacement: `http://$1:${backend.port}${path}`,
            },
            { target_label: "__address__", replacement: args.blackbox },
            { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            { target_label: "job", replacement: healthProbeJob },
            { target_label: "probe", replacement: name },
            { target_label: "service", replacement: "stella-backend" },
        ],
    });
    return [probe("liveness", backend.healthPath), probe("readiness", backend.readinessPath)];
}

/** The Blackbox exporter that probes the backend's health endpoints for Prometheus. */
export class HealthProbes extends pulumi.ComponentResource {
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: HealthProbesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:HealthProbes", name, {}, opts);
        const releaseName = blackboxRelease;
        this.release = new k8s.helm.v3.Release(
            name,
            releaseArgs({
                chart: "blackboxExporter",
                version: args.version,
                releaseName,
                namespace: args.namespace,
                values: mergeValues(blackboxExporterValues(releaseName), args.extraValues ?? {}),
                timeoutSeconds: 300,
            }),
            { parent: this },
        );
        this.registerOutputs({});
    }
}
