// PrometheusStack: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager,
// kube-state-metrics, node-exporter) with STELLA's scrape targets, rules and Alertmanager routing.
// Chart values keys follow kube-prometheus-stack 88.x's values.yaml (read at the pinned version).

import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { PersistentVolume, RemoteWriteTarget, StackConfig } from "../config";
import { alertmanagerConfig, receiverSecretKeys } from "./alerting/alertmanager-config";
import { stellaRuleGroups, type RuleGroup } from "./alerting/rules";
import { containerResources, mergeValues, releaseArgs, type HelmValues } from "./helm";
import { namedSecret } from "./secret";
import { stellaJobs } from "../catalogue";

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
    /** The environment, an external label of every series and alert sent out. */
    readonly environment: string;
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
    /** The Secret holding the remote-write credentials, which the operator reads. */
    readonly remoteWriteSecretName: string;
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

/** The job labels of STELLA's scrape targets. */

/** A PodMonitor (through the chart's additionalPodMonitors) whose samples carry `job` as their job label. */
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

/** A selector of namespaces by name. */
function namespacesNamed(names: readonly string[]) {
    return { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...names] }] };
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
                // On every series and alert sent out (remote write, Alertmanager): two stacks writing to
                // one store never collide. The operator adds prometheus and prometheus_replica itself.
                externalLabels: { cluster: prometheus.cluster, environment: args.environment },
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
                          remoteWrite: prometheus.remoteWrite.map((target) =>
                              remoteWriteSpec(target, args.remoteWriteSecretName),
                          ),
                      }),
                // Select monitors, rules and probes from every namespace, whatever their labels: the
                // chart's default only takes those labelled release=<release name>.
                ...(args.additionalScrapeConfigs === undefined || args.additionalScrapeConfigs.length === 0
                    ? {}
                    : { additionalScrapeConfigs: args.additionalScrapeConfigs }),
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                // Rules only from the namespaces named (the stack's and STELLA's by default): another team's
                // PrometheusRule with severity=critical would otherwise page STELLA's on-call. Monitors stay
                // cluster-wide: scraping another team's pods pages nobody.
                ruleNamespaceSelector: namespacesNamed(prometheus.ruleNamespaces),
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
            },
            // Evictions (node drains, upgrades) keep at least one replica serving.
            podDisruptionBudget: { enabled: prometheus.replicas > 1, minAvailable: 1 },
            // The replicas scrape at different instants, so their answers differ slightly: a client (Grafana)
            // stays on one replica, and a dashboard does not flicker between the two on each refresh.
            service: { sessionAffinity: "ClientIP" },
            additionalPodMonitors: [
                podMonitor(
                    stellaJobs.backend,
                    stella.namespace,
                    { app: stella.backend.appLabel },
                    stella.backend.port,
                    stella.backend.metricsPath,
                    prometheus.scrapeInterval,
                    stella.fallbackScrapeProtocol,
                    stella.scrapeLimits.backend,
                ),
                podMonitor(
                    stellaJobs.agents,
                    stella.namespace,
                    { app: stella.agents.appLabel },
                    stella.agents.port,
                    stella.agents.metricsPath,
                    prometheus.scrapeInterval,
                    stella.fallbackScrapeProtocol,
                    stella.scrapeLimits.agents,
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
                podAntiAffinity: alertmanager.podAntiAffinity,
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
 * The annotations that make `pulumi up` wait for a Prometheus or Alertmanager the operator runs: the
 * Kubernetes provider waits for every `pulumi.com/waitFor` condition of the patched object (True, and
 * observed at the object's current generation, so a stale True from before an upgrade does not count).
 * `trigger` changes with every upgrade, so that each one patches, and therefore waits, again.
 */
export function awaitOperatorWorkload(trigger: Record<string, pulumi.Input<string>>, timeoutSeconds: number) {
    return {
        // Available: every replica ready (a Pending pod is "Degraded"). Reconciled: the operator accepted
        // the spec and generated the config (a rejected one is False).
        "pulumi.com/waitFor": JSON.stringify(["condition=Available", "condition=Reconciled"]),
        "pulumi.com/timeoutSeconds": String(timeoutSeconds),
        ...trigger,
    };
}

/** The annotation that changes with every Helm upgrade of kube-prometheus-stack. */
export const releaseRevisionKey = "stella-monitoring/awaited-release-revision";
/** The annotation that changes with Alertmanager's config. */
export const alertmanagerConfigHashKey = "stella-monitoring/awaited-config-sha256";

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
    /** Alertmanager's receivers and their integrations: the post-deploy check finds them in the running config. */
    public readonly receivers: { name: string; integrations: string[] }[];

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
        if (alerting.heartbeatUrl !== undefined) receiverData[receiverSecretKeys.heartbeatUrl] = alerting.heartbeatUrl;
        // The Secret exists even when empty: Alertmanager's pods mount it, and would not start without it.
        const receiverSecret = namedSecret(
            `${name}-receivers`,
            { secretName: receiverSecretName, namespace: args.namespace, stringData: receiverData },
            this,
        );

        const config = alertmanagerConfig({
            receiverSecretName,
            heartbeatEnabled: alerting.heartbeatUrl !== undefined,
            grafanaUrl: args.grafanaUrl,
            slackEnabled: alerting.slackWebhookUrl !== undefined,
            pagerdutyEnabled: alerting.pagerdutyRoutingKey !== undefined,
            groupWait: alerting.groupWait,
            groupInterval: alerting.groupInterval,
            repeatInterval: alerting.repeatInterval,
        });
        this.receivers = (config.receivers as Record<string, unknown>[]).map((receiver) => ({
            name: String(receiver.name),
            integrations: Object.keys(receiver).filter((key) => key.endsWith("_configs")),
        }));
        const configText = stringify(config);
        const configSecret = namedSecret(
            `${name}-alertmanager-config`,
            {
                secretName: alertmanagerConfigSecretName,
                namespace: args.namespace,
                stringData: { "alertmanager.yaml": configText },
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
        // The operator reads remote-write credentials from this Secret; the values only name its keys.
        const remoteWriteSecretName = `${releaseName}-remote-write`;
        const remoteWriteData = remoteWriteSecretData(args.prometheus.remoteWrite);
        const remoteWriteSecret =
            Object.keys(remoteWriteData).length === 0
                ? []
                : [
                      namedSecret(
                          `${name}-remote-write`,
                          { secretName: remoteWriteSecretName, namespace: args.namespace, stringData: remoteWriteData },
                          this,
                      ),
                  ];
        const values = prometheusStackValues({
            releaseName,
            remoteWriteSecretName,
            environment: args.environment,
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
            {
                parent: this,
                dependsOn: [crds, receiverSecret, configSecret, ...remoteWriteSecret],
                protect: args.protect ?? false,
            },
        );

        // Helm waits for what it owns, not for the StatefulSets the operator creates afterwards: patch
        // nothing but these annotations onto the Prometheus and Alertmanager resources, and the provider
        // waits until the operator reports them available and reconciled.
        const revision = this.release.status.revision.apply((value) => String(value));
        const awaitWorkload = (kind: "Prometheus" | "Alertmanager", trigger: Record<string, pulumi.Input<string>>) =>
            new k8s.apiextensions.CustomResourcePatch(
                `${name}-await-${kind.toLowerCase()}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind,
                    metadata: {
                        name: `${releaseName}-${kind.toLowerCase()}`,
                        namespace: args.namespace,
                        annotations: awaitOperatorWorkload({ [releaseRevisionKey]: revision, ...trigger }, 600),
                    },
                },
                { parent: this, dependsOn: [this.release] },
            );
        awaitWorkload("Prometheus", {});
        awaitWorkload("Alertmanager", {
            [alertmanagerConfigHashKey]: createHash("sha256").update(configText).digest("hex"),
        });

        const host = (service: string) => `${service}.${args.namespaceName}.svc.cluster.local`;
        this.prometheusUrl = `http://${host(`${releaseName}-prometheus`)}:9090`;
        this.alertmanagerUrl = `http://${host(`${releaseName}-alertmanager`)}:9093`;
        this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl });
    }
}
