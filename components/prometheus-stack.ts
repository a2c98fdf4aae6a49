// PrometheusStack: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager,
// kube-state-metrics, node-exporter) with STELLA's scrape targets, rules and Alertmanager routing.
// Chart values keys follow kube-prometheus-stack 88.x's values.yaml (read at the pinned version).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { PersistentVolume, StackConfig } from "../config";
import { alertmanagerConfig, receiverSecretKeys } from "./alerting/alertmanager-config";
import { stellaRuleGroups, type RuleGroup } from "./alerting/rules";
import { containerResources, mergeValues, releaseArgs, type HelmValues } from "./helm";
import { namedSecret } from "./secret";

export interface PrometheusStackArgs {
    /** The namespace to install into; created by the caller. */
    readonly namespace: pulumi.Input<string>;
    /** The namespace's name as plain text, for the in-cluster URLs. */
    readonly namespaceName: string;
    /** The Helm release name; Services are `<releaseName>-prometheus` and `<releaseName>-alertmanager`. Default kube-prometheus-stack. */
    readonly releaseName?: string;
    /** The exact kube-prometheus-stack chart version. */
    readonly version: string;
    /** The exact prometheus-operator-crds chart version; it must carry the CRDs of kube-prometheus-stack's operator. */
    readonly crdsVersion: string;
    /** Prometheus sizing, retention and storage. */
    readonly prometheus: StackConfig["prometheus"];
    /** Alertmanager sizing and storage. */
    readonly alertmanager: StackConfig["alertmanager"];
    /** Routing and the receiver credentials (secrets). */
    readonly alerting: StackConfig["alerting"];
    /** Where STELLA runs, how its pods are scraped, and its metric names. */
    readonly stella: StackConfig["stella"];
    /** The backend's SLOs. */
    readonly slo: StackConfig["slo"];
    /** Grafana's public URL, for links in alerts and notifications. */
    readonly grafanaUrl: string;
    /** Raw Prometheus scrape configs, e.g. the backend's health probes. Default []. */
    readonly additionalScrapeConfigs?: readonly Record<string, unknown>[];
    /** More PodMonitors, e.g. for components whose charts have none (Jaeger). Default []. */
    readonly extraPodMonitors?: readonly PodMonitorSpec[];
    /** Chart values deep-merged last; they win. Default {}. */
    readonly extraValues?: HelmValues;
    /** Values for the CRD chart, deep-merged last. Default {}. */
    readonly crdsExtraValues?: HelmValues;
    /** Protect the releases (metrics, and the CRDs every Prometheus hangs on) against deletion. Default false. */
    readonly protect?: boolean;
}

/** A PodMonitor as kube-prometheus-stack's `prometheus.additionalPodMonitors` takes it. */
export interface PodMonitorSpec {
    readonly name: string;
    readonly namespaceSelector: { readonly matchNames: readonly string[] };
    readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
    readonly podMetricsEndpoints: readonly Record<string, unknown>[];
}

/** The plain inputs of `prometheusStackValues`: everything but the secrets themselves. */
export interface PrometheusStackValuesArgs extends Omit<
    PrometheusStackArgs,
    | "namespace"
    | "namespaceName"
    | "alerting"
    | "extraValues"
    | "crdsExtraValues"
    | "version"
    | "crdsVersion"
    | "releaseName"
    | "slo"
    | "grafanaUrl"
> {
    readonly releaseName: string;
    /** The Secret holding the receiver credentials, mounted into Alertmanager. */
    readonly receiverSecretName: string;
    /** The Secret holding alertmanager.yaml, created by this component. */
    readonly alertmanagerConfigSecretName: string;
    /** STELLA's rule groups. */
    readonly ruleGroups: RuleGroup[];
}

/** A volumeClaimTemplate spec as the operator's storage fields take it. */
function volumeClaimTemplate(volume: PersistentVolume) {
    return {
        volumeClaimTemplate: {
            spec: {
                ...(volume.storageClass === undefined ? {} : { storageClassName: volume.storageClass }),
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: volume.size } },
            },
        },
    };
}

/** A PodMonitor (through the chart's additionalPodMonitors) whose samples carry `job` as their job label. */
export function podMonitor(
    job: string,
    namespace: string,
    matchLabels: Record<string, string>,
    port: number,
    path: string,
    interval: string,
): PodMonitorSpec {
    return {
        name: job,
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

/** kube-prometheus-stack's values. Pure. */
export function prometheusStackValues(args: PrometheusStackValuesArgs): HelmValues {
    const { prometheus, alertmanager, stella } = args;
    const controlPlane = { enabled: prometheus.scrapeControlPlane };
    return {
        fullnameOverride: args.releaseName,
        // The CRDs come from their own release (prometheus-operator-crds), which upgrades them.
        crds: { enabled: false },
        // Grafana is its own release (components/grafana.ts); its dashboards still ship, as ConfigMaps
        // that our Grafana's sidecar loads.
        grafana: { enabled: false, forceDeployDashboards: true, defaultDashboardsTimezone: "utc" },
        kubeControllerManager: controlPlane,
        kubeScheduler: controlPlane,
        kubeEtcd: controlPlane,
        kubeProxy: controlPlane,
        prometheusOperator: {
            // The hook Jobs that create and patch the admission webhook's certificate.
            admissionWebhooks: {
                patch: { resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } } },
            },
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            prometheusConfigReloader: {
                resources: { requests: { cpu: "10m", memory: "25Mi" }, limits: { memory: "50Mi" } },
            },
        },
        "kube-state-metrics": {
            resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
        "prometheus-node-exporter": {
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        },
        prometheus: {
            prometheusSpec: {
                replicas: prometheus.replicas,
                podAntiAffinity: prometheus.podAntiAffinity,
                retention: prometheus.retention,
                ...(prometheus.retentionSize === undefined ? {} : { retentionSize: prometheus.retentionSize }),
                scrapeInterval: prometheus.scrapeInterval,
                evaluationInterval: prometheus.evaluationInterval,
                // Exemplars: the trace_id of sampled requests, which Grafana links to Jaeger.
                enableFeatures: ["exemplar-storage"],
                exemplars: { maxSize: 100000 },
                resources: containerResources(prometheus.resources),
                ...(prometheus.storage.enabled ? { storageSpec: volumeClaimTemplate(prometheus.storage) } : {}),
                ...(prometheus.remoteWrite.length === 0
                    ? {}
                    : {
                          remoteWrite: prometheus.remoteWrite.map((target) => ({ name: target.name, url: target.url })),
                      }),
                // Select monitors, rules and probes from every namespace, whatever their labels: the
                // chart's default only takes those labelled release=<release name>.
                ...(args.additionalScrapeConfigs === undefined || args.additionalScrapeConfigs.length === 0
                    ? {}
                    : { additionalScrapeConfigs: args.additionalScrapeConfigs }),
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
            },
            // Evictions (node drains, upgrades) keep at least one replica serving.
            podDisruptionBudget: { enabled: prometheus.replicas > 1, minAvailable: 1 },
            additionalPodMonitors: [
                podMonitor(
                    "stella-backend",
                    stella.namespace,
                    { app: stella.backend.appLabel },
                    stella.backend.port,
                    stella.backend.metricsPath,
                    prometheus.scrapeInterval,
                ),
                podMonitor(
                    "stella-agents",
                    stella.namespace,
                    { app: stella.agents.appLabel },
                    stella.agents.port,
                    stella.agents.metricsPath,
                    prometheus.scrapeInterval,
                ),
                ...(args.extraPodMonitors ?? []),
            ],
        },
        additionalPrometheusRulesMap: {
            stella: { groups: args.ruleGroups },
        },
        alertmanager: {
            podDisruptionBudget: { enabled: alertmanager.replicas > 1, minAvailable: 1 },
            alertmanagerSpec: {
                replicas: alertmanager.replicas,
                podAntiAffinity: prometheus.podAntiAffinity,
                retention: alertmanager.retention,
                resources: containerResources(alertmanager.resources),
                ...(alertmanager.storage.enabled ? { storage: volumeClaimTemplate(alertmanager.storage) } : {}),
                // Our own config Secret, loaded exactly as rendered: the chart's `alertmanager.config`
                // would be deep-merged with the chart's defaults.
                useExistingSecret: true,
                configSecret: args.alertmanagerConfigSecretName,
                // Only AlertmanagerConfig resources that opt in are merged into the tested routing above;
                // the chart's default ({}) would take any, from any namespace.
                alertmanagerConfigSelector: { matchLabels: { "stella-monitoring/merge-into-alertmanager": "true" } },
                // Mounted at /etc/alertmanager/secrets/<name>/<key>, read through *_file fields.
                secrets: [args.receiverSecretName],
            },
        },
    };
}

/**
 * kube-prometheus-stack with STELLA's scrape targets and rules, and Alertmanager routing to Slack and
 * PagerDuty from credentials kept in a Kubernetes Secret.
 */
export class PrometheusStack extends pulumi.ComponentResource {
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;
    /** The release of the Prometheus Operator's CRDs: what creates a ServiceMonitor or PodMonitor depends on it. */
    public readonly crds: k8s.helm.v3.Release;
    /** Prometheus inside the cluster, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090. */
    public readonly prometheusUrl: string;
    /** Alertmanager inside the cluster. */
    public readonly alertmanagerUrl: string;
    /** The rule groups that reach Prometheus. */
    public readonly ruleGroups: RuleGroup[];

    constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:PrometheusStack", name, {}, opts);
        const releaseName = args.releaseName ?? "kube-prometheus-stack";
        const receiverSecretName = `${releaseName}-alertmanager-receivers`;
        const alertmanagerConfigSecretName = `${releaseName}-alertmanager-config`;
        const { alerting } = args;

        const receiverData: Record<string, pulumi.Output<string>> = {};
        if (alerting.slackWebhookUrl !== undefined)
            receiverData[receiverSecretKeys.slackWebhookUrl] = alerting.slackWebhookUrl;
        if (alerting.pagerdutyRoutingKey !== undefined) {
            receiverData[receiverSecretKeys.pagerdutyRoutingKey] = alerting.pagerdutyRoutingKey;
        }
        // The Secret exists even when empty: Alertmanager's pods mount it, and would not start without it.
        const receiverSecret = namedSecret(
            `${name}-receivers`,
            { secretName: receiverSecretName, namespace: args.namespace, stringData: receiverData },
            this,
        );

        const config = alertmanagerConfig({
            receiverSecretName,
            heartbeatUrl: alerting.heartbeatUrl,
            grafanaUrl: args.grafanaUrl,
            slackEnabled: alerting.slackWebhookUrl !== undefined,
            pagerdutyEnabled: alerting.pagerdutyRoutingKey !== undefined,
            slackChannel: alerting.slackChannel,
            groupWait: alerting.groupWait,
            groupInterval: alerting.groupInterval,
            repeatInterval: alerting.repeatInterval,
        });
        const configSecret = namedSecret(
            `${name}-alertmanager-config`,
            {
                secretName: alertmanagerConfigSecretName,
                namespace: args.namespace,
                stringData: { "alertmanager.yaml": stringify(config) },
            },
            this,
        );

        this.ruleGroups = stellaRuleGroups({
            stella: args.stella,
            slo: args.slo,
            thresholds: alerting.thresholds,
            runbookBaseUrl: alerting.runbookBaseUrl,
            grafanaUrl: args.grafanaUrl,
            monitoringNamespace: args.namespaceName,
        });
        const values = prometheusStackValues({
            releaseName,
            prometheus: args.prometheus,
            alertmanager: args.alertmanager,
            stella: args.stella,
            extraPodMonitors: args.extraPodMonitors,
            additionalScrapeConfigs: args.additionalScrapeConfigs,
            receiverSecretName,
            alertmanagerConfigSecretName,
            ruleGroups: this.ruleGroups,
        });

        // Its CRDs live in templates, so `helm upgrade` upgrades them; kept on uninstall, because deleting
        // a CRD deletes every Prometheus, Alertmanager and rule of the cluster with it.
        const crds = (this.crds = new k8s.helm.v3.Release(
            `${name}-crds`,
            releaseArgs({
                chart: "prometheusOperatorCrds",
                version: args.crdsVersion,
                releaseName: `${releaseName}-crds`,
                namespace: args.namespace,
                values: mergeValues(
                    { crds: { annotations: { "helm.sh/resource-policy": "keep" } } },
                    args.crdsExtraValues ?? {},
                ),
                timeoutSeconds: 300,
            }),
            { parent: this, protect: args.protect ?? false },
        ));

        this.release = new k8s.helm.v3.Release(
            name,
            releaseArgs({
                chart: "kubePrometheusStack",
                version: args.version,
                releaseName,
                namespace: args.namespace,
                values: mergeValues(values, args.extraValues ?? {}),
                // CRDs, the admission-webhook hook Jobs and every pod: 10 minutes on a cold cluster.
                timeoutSeconds: 600,
            }),
            // Alertmanager mounts both Secrets; without them its pods would not start and the atomic
            // install would roll back.
            { parent: this, dependsOn: [crds, receiverSecret, configSecret], protect: args.protect ?? false },
        );

        const host = (service: string) => `${service}.${args.namespaceName}.svc.cluster.local`;
        this.prometheusUrl = `http://${host(`${releaseName}-prometheus`)}:9090`;
        this.alertmanagerUrl = `http://${host(`${releaseName}-alertmanager`)}:9093`;
        this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl });
    }
}
