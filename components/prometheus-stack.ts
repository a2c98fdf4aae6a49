// PrometheusStack: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager,
// kube-state-metrics, node-exporter) with the scrape targets, rules and Alertmanager config it is given.
// The rules (alerts/rules.ts) and the Alertmanager config (alerts/alertmanager-config.ts) are built by
// stack.ts and passed in as data, as Grafana's dashboards are; PodMonitors and remote-write targets
// come from components/prometheus-specs.ts. Chart values keys follow kube-prometheus-stack 88.x's
// values.yaml (read at the pinned version).

import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { PersistentVolume, StackConfig } from "../config";
import type { RuleGroup } from "../alerts/rules";
import { containerResources, mergeValues, releaseArgs, type HelmValues, type ChartComponentArgs } from "./helm";
import { podMonitorManifest, remoteWriteSecretData, remoteWriteSpec, type PodMonitorSpec } from "./prometheus-specs";
import { namedSecret } from "./secret";

/** The Helm release; Services are `<release>-prometheus` and `<release>-alertmanager`. */
export const prometheusStackRelease = "kube-prometheus-stack";

/** The Secrets the stack's pods read, named after the release. */
export const prometheusStackSecrets = {
    /** The receiver credentials, mounted into Alertmanager; alertmanager.yaml reads them by file path. */
    receivers: `${prometheusStackRelease}-alertmanager-receivers`,
    /** alertmanager.yaml itself. */
    alertmanagerConfig: `${prometheusStackRelease}-alertmanager-config`,
    /** The remote-write credentials, which the operator reads. */
    remoteWrite: `${prometheusStackRelease}-remote-write`,
} as const;

/** The ports the stack's pods listen on. */
export const prometheusStackPorts = {
    prometheus: 9090,
    alertmanager: 9093,
    /** Alertmanager replicas gossip on it, over TCP and UDP. */
    alertmanagerCluster: 9094,
    /** The operator's admission webhook. */
    operatorWebhook: 10250,
} as const;

/**
 * The labels of the Prometheus Operator's pods: the chart names them after itself (its
 * `kube-prometheus-stack.name`, the chart's name), not after the release.
 */
export const operatorPodLabels = { "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator" } as const;

export interface PrometheusStackArgs extends ChartComponentArgs {
    /** The namespace's name as plain text, for the in-cluster URLs. */
    readonly namespaceName: string;
    /** The exact prometheus-operator-crds chart version; it must carry the CRDs of kube-prometheus-stack's operator. */
    readonly crdsVersion: string;
    /** Prometheus sizing, retention and storage. */
    readonly prometheus: StackConfig["prometheus"];
    /** Alertmanager sizing and storage. */
    readonly alertmanager: StackConfig["alertmanager"];
    /** The environment, an external label of every series and alert sent out. */
    readonly environment: string;
    /** The rule groups Prometheus evaluates (alerts/rules.ts). */
    readonly ruleGroups: readonly RuleGroup[];
    /**
     * alertmanager.yaml, as data (alerts/alertmanager-config.ts), loaded exactly as given; its receivers
     * read their credentials from the files of `prometheusStackSecrets.receivers`.
     */
    readonly alertmanagerConfig: Record<string, unknown>;
    /** The receiver Secret's data: the credentials under the keys the config reads. Secrets stay Outputs. */
    readonly receiverCredentials: Readonly<Record<string, pulumi.Input<string>>>;
    /** The PodMonitors (STELLA's, and those of components whose charts have none, e.g. Jaeger). */
    readonly podMonitors: readonly PodMonitorSpec[];
    /** Raw Prometheus scrape configs, e.g. the backend's health probes. Default []. */
    readonly additionalScrapeConfigs?: readonly Record<string, unknown>[];
    /** Values for the CRD chart, deep-merged last. Default {}. */
    readonly crdsExtraValues?: HelmValues;
    /** Protect the releases (metrics, and the CRDs every Prometheus hangs on) against deletion. Default false. */
    readonly protect?: boolean;
}

/** The plain inputs of `prometheusStackValues`: the config slices, what it installs, and the Secrets' names. */
export interface PrometheusStackValuesArgs extends Pick<
    PrometheusStackArgs,
    "prometheus" | "alertmanager" | "environment" | "ruleGroups" | "additionalScrapeConfigs"
> {
    /** The Secret holding the remote-write credentials, which the operator reads. */
    readonly remoteWriteSecretName: string;
    /** The Secret holding the receiver credentials, mounted into Alertmanager. */
    readonly receiverSecretName: string;
    /** The Secret holding alertmanager.yaml, created by this component. */
    readonly alertmanagerConfigSecretName: string;
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

/** A selector of namespaces by name. */
function namespacesNamed(names: readonly string[]) {
    return { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...names] }] };
}

/** kube-prometheus-stack's values. Pure. */
export function prometheusStackValues(args: PrometheusStackValuesArgs): HelmValues {
    const { prometheus, alertmanager } = args;
    const controlPlane = { enabled: prometheus.scrapeControlPlane };
    return {
        fullnameOverride: prometheusStackRelease,
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
        },
        additionalPrometheusRulesMap: {
            stella: { groups: [...args.ruleGroups] },
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
 * kube-prometheus-stack with the rules and scrape targets it is given, and Alertmanager routing from the
 * config it is given, with credentials kept in a Kubernetes Secret.
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

    constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:PrometheusStack", name, {}, opts);
        const releaseName = prometheusStackRelease;
        const secrets = prometheusStackSecrets;

        // The Secret exists even when empty: Alertmanager's pods mount it, and would not start without it.
        const receiverSecret = namedSecret(
            `${name}-receivers`,
            { secretName: secrets.receivers, namespace: args.namespace, stringData: { ...args.receiverCredentials } },
            this,
        );
        const configText = stringify(args.alertmanagerConfig);
        const configSecret = namedSecret(
            `${name}-alertmanager-config`,
            {
                secretName: secrets.alertmanagerConfig,
                namespace: args.namespace,
                stringData: { "alertmanager.yaml": configText },
            },
            this,
        );

        // The operator reads remote-write credentials from this Secret; the values only name its keys.
        const remoteWriteData = remoteWriteSecretData(args.prometheus.remoteWrite);
        const remoteWriteSecret =
            Object.keys(remoteWriteData).length === 0
                ? []
                : [
                      namedSecret(
                          `${name}-remote-write`,
                          { secretName: secrets.remoteWrite, namespace: args.namespace, stringData: remoteWriteData },
                          this,
                      ),
                  ];
        const values = prometheusStackValues({
            remoteWriteSecretName: secrets.remoteWrite,
            environment: args.environment,
            prometheus: args.prometheus,
            alertmanager: args.alertmanager,
            additionalScrapeConfigs: args.additionalScrapeConfigs,
            receiverSecretName: secrets.receivers,
            alertmanagerConfigSecretName: secrets.alertmanagerConfig,
            ruleGroups: args.ruleGroups,
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

        // Objects of their own, not the chart's additionalPodMonitors (see PodMonitorSpec), created after
        // the release: a stack that had them from the chart gets them with the same names, so Helm's
        // upgrade must delete its copies before these exist (else the create fails with "already
        // exists"); STELLA's scrapes pause for those few seconds. On a new cluster the order costs nothing.
        for (const monitor of args.podMonitors)
            new k8s.apiextensions.CustomResource(
                `${name}-${monitor.name}`,
                podMonitorManifest(monitor, args.namespace),
                {
                    parent: this,
                    dependsOn: [this.release],
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
        this.prometheusUrl = `http://${host(`${releaseName}-prometheus`)}:${prometheusStackPorts.prometheus}`;
        this.alertmanagerUrl = `http://${host(`${releaseName}-alertmanager`)}:${prometheusStackPorts.alertmanager}`;
        this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl });
    }
}
