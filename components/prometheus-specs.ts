// What kube-prometheus-stack's values carry for the Prometheus Operator, as plain data: the PodMonitors
// (STELLA's own, and those of components whose charts ship none) and the remote-write targets with
// their credentials by reference. Pure; components/prometheus-stack.ts puts them into the values.

import type * as pulumi from "@pulumi/pulumi";
import type { RemoteWriteTarget, StackConfig } from "../config";
import { stellaJobs } from "../catalogue";

/**
 * A PodMonitor: its name and its spec's fields. PrometheusStack creates each as an object of its own,
 * not through the chart's `prometheus.additionalPodMonitors`: kube-prometheus-stack 88.5.3 writes an
 * entry's `sampleLimit` twice (its scrapeLimits helper, then again by itself), a duplicate key that
 * makes the chart's output invalid YAML (`npm run check:charts` found it).
 */
export interface PodMonitorSpec {
    readonly name: string;
    readonly namespaceSelector: { readonly matchNames: readonly string[] };
    readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly podMetricsEndpoints: readonly Record<string, unknown>[];
    /** How Prometheus parses a scrape whose Content-Type is missing or unknown. */
    readonly fallbackScrapeProtocol?: string;
    /** Per-scrape limits: a scrape over one is rejected whole. */
    readonly sampleLimit?: number;
    readonly labelLimit?: number;
    readonly labelNameLengthLimit?: number;
    readonly labelValueLengthLimit?: number;
}

/** One STELLA target's scrape limits, from config. */
export type ScrapeLimits = StackConfig["stella"]["scrapeLimits"]["backend"];

/** A PodMonitor whose samples carry `job` as their job label. */
export function podMonitor(
    job: string,
    namespace: string,
    matchLabels: Record<string, string>,
    port: number,
    path: string,
    interval: string,
    fallbackScrapeProtocol?: string,
    limits?: ScrapeLimits,
): PodMonitorSpec {
    return {
        name: job,
        ...(fallbackScrapeProtocol === undefined ? {} : { fallbackScrapeProtocol }),
        ...(limits === undefined
            ? {}
            : {
                  sampleLimit: limits.samples,
                  labelLimit: limits.labels,
                  labelNameLengthLimit: limits.labelNameLength,
                  labelValueLengthLimit: limits.labelValueLength,
              }),
        namespaceSelector: { matchNames: [namespace] },
        selector: { matchLabels },
        podMetricsEndpoints: [
            {
                portNumber: port,
                path,
                interval,
                // The seed's job names; the operator's default would be "<namespace>/<podmonitor>".
                // portNumber: the pod must declare this containerPort.
                relabelings: [{ targetLabel: "job", replacement: job }],
            },
        ],
    };
}

/** The PodMonitor object the Operator reads, in the monitoring namespace (Prometheus selects every one there). */
export function podMonitorManifest(monitor: PodMonitorSpec, namespace: pulumi.Input<string>) {
    const { name, ...spec } = monitor;
    return { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name, namespace }, spec };
}

/** The PodMonitors of STELLA's backend and agents, whose samples carry the jobs the rules select. */
export function stellaPodMonitors(stella: StackConfig["stella"], interval: string): PodMonitorSpec[] {
    return [
        podMonitor(
            stellaJobs.backend,
            stella.namespace,
            { app: stella.backend.appLabel },
            stella.backend.port,
            stella.backend.metricsPath,
            interval,
            stella.fallbackScrapeProtocol,
            stella.scrapeLimits.backend,
        ),
        podMonitor(
            stellaJobs.agents,
            stella.namespace,
            { app: stella.agents.appLabel },
            stella.agents.port,
            stella.agents.metricsPath,
            interval,
            stella.fallbackScrapeProtocol,
            stella.scrapeLimits.agents,
        ),
    ];
}

/** The keys of one remote-write target's credentials in the remote-write Secret. */
export function remoteWriteSecretKeys(target: string) {
    return { username: `${target}-username`, password: `${target}-password`, bearerToken: `${target}-bearer-token` };
}

/**
 * A remote-write target as the operator takes it: credentials by reference to the Secret (the
 * operator copies them into Prometheus' generated config Secret), never inline.
 */
export function remoteWriteSpec(target: RemoteWriteTarget, secretName: string): Record<string, unknown> {
    const keys = remoteWriteSecretKeys(target.name);
    const ref = (key: string) => ({ name: secretName, key });
    return {
        name: target.name,
        url: target.url,
        ...(Object.keys(target.headers).length === 0 ? {} : { headers: { ...target.headers } }),
        ...(target.basicAuth === undefined
            ? {}
            : { basicAuth: { username: ref(keys.username), password: ref(keys.password) } }),
        ...(target.bearerToken === undefined
            ? {}
            : { authorization: { type: "Bearer", credentials: ref(keys.bearerToken) } }),
    };
}

/** The remote-write Secret's data: each target's credentials. Secrets stay Outputs. */
export function remoteWriteSecretData(targets: readonly RemoteWriteTarget[]): Record<string, pulumi.Input<string>> {
    const data: Record<string, pulumi.Input<string>> = {};
    for (const target of targets) {
        const keys = remoteWriteSecretKeys(target.name);
        if (target.basicAuth !== undefined) {
            data[keys.username] = target.basicAuth.username;
            data[keys.password] = target.basicAuth.password;
        }
        if (target.bearerToken !== undefined) data[keys.bearerToken] = target.bearerToken;
    }
    return data;
}
