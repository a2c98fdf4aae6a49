// A Prometheus config for loopback, derived from the offline render of a stack: the scrape jobs that
// the stack's PodMonitors and health-probe scrape configs produce on the cluster, with the job names and
// target labels they give, pointed at fake pods on 127.0.0.1; the rendered rule file, loaded unchanged;
// the rendered scrape and evaluation intervals.

import { readFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, unknown>;

export interface FakePod {
    /** The pod's name, as Kubernetes would give it (the `pod` label). */
    readonly name: string;
    /** Where this fake listens on 127.0.0.1 (a real pod: its own IP, the declared port). */
    readonly port: number;
}

export interface LocalTargets {
    /** Pods by the `app` label their PodMonitor selects. */
    readonly podsByApp: Record<string, FakePod[]>;
    /** host:port of the local Blackbox exporter. */
    readonly blackbox: string;
    /** host:port of the local Alertmanager. */
    readonly alertmanager: string;
    /** Rule files: the rendered one and any stand-ins. */
    readonly ruleFiles: string[];
}

interface PodMonitor {
    name: string;
    namespaceSelector?: { matchNames?: string[] };
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: {
        interval?: string;
        path?: string;
        portNumber?: number;
        port?: string;
        relabelings?: {
            sourceLabels?: string[];
            targetLabel?: string;
            replacement?: string;
            regex?: string;
            action?: string;
        }[];
        fallbackScrapeProtocol?: string;
    }[];
    sampleLimit?: number;
    labelLimit?: number;
    labelNameLengthLimit?: number;
    labelValueLengthLimit?: number;
}

/** A PodMonitor's scrape limits and the fields of each scrape job the operator generates from them. */
const scrapeLimitFields = {
    sampleLimit: "sample_limit",
    labelLimit: "label_limit",
    labelNameLengthLimit: "label_name_length_limit",
    labelValueLengthLimit: "label_value_length_limit",
} as const;

export interface RenderedPrometheus {
    readonly values: Json;
    readonly scrapeInterval: string;
    readonly evaluationInterval: string;
    readonly podMonitors: PodMonitor[];
    readonly healthScrapeConfigs: Json[];
    readonly monitoringNamespace: string;
}

/** The PodMonitor objects of resources.json, as the Operator reads them: each one's name and spec. */
function renderedPodMonitors(renderDirectory: string): PodMonitor[] {
    const resources = JSON.parse(readFileSync(join(renderDirectory, "resources.json"), "utf8")) as {
        type: string;
        inputs: { metadata: { name: string }; spec: Omit<PodMonitor, "name"> };
    }[];
    return resources
        .filter((resource) => resource.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor")
        .map((resource) => ({ name: resource.inputs.metadata.name, ...resource.inputs.spec }));
}

/**
 * What the render gives Prometheus: helm/kube-prometheus-stack.json under the stack's render folder,
 * and the PodMonitors of resources.json.
 */
export function readRenderedPrometheus(renderDirectory: string): RenderedPrometheus {
    const release = JSON.parse(readFileSync(join(renderDirectory, "helm", "kube-prometheus-stack.json"), "utf8")) as {
        namespace: string;
        values: Json;
    };
    const prometheus = release.values.prometheus as Json;
    const spec = prometheus.prometheusSpec as Json;
    return {
        values: release.values,
        scrapeInterval: (spec.scrapeInterval as string | undefined) ?? "30s",
        evaluationInterval: (spec.evaluationInterval as string | undefined) ?? "30s",
        podMonitors: renderedPodMonitors(renderDirectory),
        healthScrapeConfigs: (spec.additionalScrapeConfigs ?? []) as Json[],
        monitoringNamespace: release.namespace,
    };
}

/** The Operator's relabeling, camelCase, into Prometheus' snake_case. */
function relabel(rule: NonNullable<PodMonitor["podMetricsEndpoints"][number]["relabelings"]>[number]): Json {
    const out: Json = {};
    if (rule.sourceLabels !== undefined) out.source_labels = rule.sourceLabels;
    if (rule.targetLabel !== undefined) out.target_label = rule.targetLabel;
    if (rule.replacement !== undefined) out.replacement = rule.replacement;
    if (rule.regex !== undefined) out.regex = rule.regex;
    if (rule.action !== undefined) out.action = rule.action.toLowerCase();
    return out;
}

/**
 * The scrape jobs of one PodMonitor, as the Prometheus Operator generates them: job
 * podMonitor/<namespace>/<name>/<index>, target labels namespace, pod, container and endpoint, job
 * defaulting to <namespace>/<name>, then the endpoint's own relabelings (STELLA's set job); the
 * monitor's scrape limits on every job of it.
 */
function podMonitorJobs(monitor: PodMonitor, namespace: string, pods: FakePod[], monitorNamespace: string): Json[] {
    return monitor.podMetricsEndpoints.map((endpoint, index) => {
        const job: Json = {
            job_name: `podMonitor/${monitorNamespace}/${monitor.name}/${index}`,
            honor_labels: false,
            metrics_path: endpoint.path ?? "/metrics",
            static_configs: pods.map((pod) => ({
                targets: [`127.0.0.1:${pod.port}`],
                labels: {
                    namespace,
                    pod: pod.name,
                    container: monitor.name,
                    endpoint: String(endpoint.port ?? endpoint.portNumber ?? ""),
                },
            })),
            relabel_configs: [
                { target_label: "job", replacement: `${namespace}/${monitor.name}` },
                ...(endpoint.relabelings ?? []).map(relabel),
            ],
        };
        if (endpoint.interval !== undefined) job.scrape_interval = endpoint.interval;
        if (endpoint.fallbackScrapeProtocol !== undefined)
            job.fallback_scrape_protocol = endpoint.fallbackScrapeProtocol;
        for (const [field, key] of Object.entries(scrapeLimitFields)) {
            const limit = monitor[field as keyof typeof scrapeLimitFields];
            if (limit !== undefined) job[key] = limit;
        }
        return job;
    });
}

/**
 * A health-probe scrape config with Kubernetes pod discovery replaced by the fake pods, each carrying
 * the discovery labels the config's relabelings read, and two loopback changes: the probe target
 * (http://<pod IP>:<port>/…) gets the fake pod's port, and the exporter's Service address becomes the
 * local exporter's. Everything else (keep rules, job, probe, service labels) runs as rendered.
 */
function healthProbeJob(
    config: Json,
    podsByApp: Record<string, FakePod[]>,
    blackbox: string,
    monitoringNamespace: string,
): Json {
    const rules = (config.relabel_configs ?? []) as Json[];
    const appRule = rules.find(
        (rule) => (rule.source_labels as string[] | undefined)?.[0] === "__meta_kubernetes_pod_label_app",
    );
    const portRule = rules.find(
        (rule) => (rule.source_labels as string[] | undefined)?.[0] === "__meta_kubernetes_pod_container_port_number",
    );
    const app = (appRule?.regex as string | undefined) ?? "";
    const declaredPort = (portRule?.regex as string | undefined) ?? "";
    const pods = podsByApp[app];
    if (pods === undefined || declaredPort === "")
        throw new Error(`${String(config.job_name)}: no fake pods for app "${app}" or no declared port`);
    const sd = (config.kubernetes_sd_configs as { namespaces?: { names?: string[] } }[] | undefined)?.[0];
    const namespace = sd?.namespaces?.names?.[0] ?? "default";
    const exporterService = new RegExp(`^[\\w.-]+\\.${monitoringNamespace}\\.svc(\\.cluster\\.local)?:\\d+$`);
    let targetRewritten = false;
    let exporterRewritten = false;
    const relabelConfigs = rules.map((rule) => {
        if (rule.target_label === "__param_target" && typeof rule.replacement === "string") {
            targetRewritten = true;
            // The "pod IP" label below is 127.0.0.1:<port>: the declared port leaves the URL.
            return { ...rule, replacement: rule.replacement.replace(`:${declaredPort}/`, "/") };
        }
        if (
            rule.target_label === "__address__" &&
            typeof rule.replacement === "string" &&
            exporterService.test(rule.replacement)
        ) {
            exporterRewritten = true;
            return { ...rule, replacement: blackbox };
        }
        return rule;
    });
    if (!targetRewritten || !exporterRewritten)
        throw new Error(
            `${String(config.job_name)}: the rendered relabelings no longer set the probe target and exporter as expected`,
        );
    const rest: Json = { ...config };
    delete rest.kubernetes_sd_configs;
    return {
        ...rest,
        static_configs: pods.map((pod) => ({
            targets: [blackbox],
            labels: {
                __meta_kubernetes_namespace: namespace,
                __meta_kubernetes_pod_name: pod.name,
                __meta_kubernetes_pod_label_app: app,
                __meta_kubernetes_pod_phase: "Running",
                __meta_kubernetes_pod_container_port_number: declaredPort,
                __meta_kubernetes_pod_ip: `127.0.0.1:${pod.port}`,
            },
        })),
        relabel_configs: relabelConfigs,
    };
}

/** The whole prometheus.yml for the loopback run. */
export function localPrometheusConfig(rendered: RenderedPrometheus, targets: LocalTargets): Json {
    const scrapeConfigs: Json[] = [];
    for (const monitor of rendered.podMonitors) {
        const namespace = monitor.namespaceSelector?.matchNames?.[0] ?? rendered.monitoringNamespace;
        const app = monitor.selector.matchLabels.app;
        const pods = app === undefined ? undefined : targets.podsByApp[app];
        // Only STELLA's own pods run here (not Jaeger's, Loki's, …).
        if (pods === undefined) continue;
        scrapeConfigs.push(...podMonitorJobs(monitor, namespace, pods, rendered.monitoringNamespace));
    }
    for (const config of rendered.healthScrapeConfigs)
        scrapeConfigs.push(healthProbeJob(config, targets.podsByApp, targets.blackbox, rendered.monitoringNamespace));
    return {
        global: { scrape_interval: rendered.scrapeInterval, evaluation_interval: rendered.evaluationInterval },
        rule_files: targets.ruleFiles,
        alerting: { alertmanagers: [{ api_version: "v2", static_configs: [{ targets: [targets.alertmanager] }] }] },
        scrape_configs: scrapeConfigs,
    };
}

/** kube-prometheus-stack's Watchdog (defaultRules, group general.rules): the chart installs it, the render does not carry it. */
export const watchdogRuleFile = {
    groups: [
        {
            name: "general.rules",
            rules: [
                {
                    alert: "Watchdog",
                    expr: "vector(1)",
                    labels: { severity: "none" },
                    annotations: {
                        description:
                            "This is an alert meant to ensure that the entire alerting pipeline is functional.",
                    },
                },
            ],
        },
    ],
};

/** The blackbox exporter chart's (11.17.2) default config: its http_2xx module is what the probes use. */
export const blackboxChartConfig = {
    modules: {
        http_2xx: {
            prober: "http",
            timeout: "5s",
            http: {
                valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
                follow_redirects: true,
                preferred_ip_protocol: "ip4",
            },
        },
    },
};
