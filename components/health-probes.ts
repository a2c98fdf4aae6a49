// HealthProbes: the Blackbox exporter (chart prometheus-blackbox-exporter) and two Prometheus Operator
// Probe resources that call the backend's /health (liveness) and /health/ready (readiness, which checks
// the database) through it, so that Prometheus alerts when either fails.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { mergeValues, releaseArgs, type HelmValues } from "./helm";

export interface HealthProbesArgs {
    /** The namespace to install into; created by the caller. */
    readonly namespace: pulumi.Input<string>;
    /** The namespace's name as plain text. */
    readonly namespaceName: string;
    /** The Helm release name, also the exporter's Service name. Default blackbox-exporter. */
    readonly releaseName?: string;
    /** The exact chart version. */
    readonly version: string;
    /** Where STELLA runs and its backend's Service and endpoints. */
    readonly stella: StackConfig["stella"];
    /** How often to probe. */
    readonly interval: string;
    /** The release that installs the Probe CRD (kube-prometheus-stack). */
    readonly crdRelease: pulumi.Resource;
    /** Chart values deep-merged last; they win. Default {}. */
    readonly extraValues?: HelmValues;
}

/** The job label of the probes' samples; the health alerts select it. */
export const healthProbeJob = "stella-backend-health";

/** The Blackbox exporter chart's values. Pure. */
export function blackboxExporterValues(releaseName: string): HelmValues {
    return {
        fullnameOverride: releaseName,
        // The chart's default config has the http_2xx module the probes use.
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        releaseLabel: false,
    };
}

/** The Probe resources' specs, keyed by the `probe` label. Pure. */
export function healthProbeSpecs(args: { stella: StackConfig["stella"]; proberUrl: string; interval: string }) {
    const { backend, namespace } = args.stella;
    const base = `http://${backend.serviceName}.${namespace}.svc:${backend.servicePort}`;
    const spec = (probe: "liveness" | "readiness", path: string) => ({
        jobName: healthProbeJob,
        interval: args.interval,
        module: "http_2xx",
        prober: { url: args.proberUrl, path: "/probe" },
        targets: {
            staticConfig: {
                static: [`${base}${path}`],
                labels: { probe, service: "stella-backend" },
            },
        },
    });
    return { liveness: spec("liveness", backend.healthPath), readiness: spec("readiness", backend.readinessPath) };
}

/** The Blackbox exporter and the backend's health probes. */
export class HealthProbes extends pulumi.ComponentResource {
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: HealthProbesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:HealthProbes", name, {}, opts);
        const releaseName = args.releaseName ?? "blackbox-exporter";
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

        const specs = healthProbeSpecs({
            stella: args.stella,
            proberUrl: `${releaseName}.${args.namespaceName}.svc:9115`,
            interval: args.interval,
        });
        for (const [probe, spec] of Object.entries(specs)) {
            new k8s.apiextensions.CustomResource(
                `${name}-${probe}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "Probe",
                    metadata: {
                        name: `stella-backend-${probe}`,
                        namespace: args.namespace,
                        labels: { "app.kubernetes.io/part-of": "stella-monitoring" },
                    },
                    spec,
                },
                // The Probe CRD comes with kube-prometheus-stack.
                { parent: this, dependsOn: [args.crdRelease, this.release] },
            );
        }
        this.registerOutputs({});
    }
}
