// Wires the components into STELLA's observability stack for one environment: the namespace, then
// Prometheus + Alertmanager, Loki + Alloy, Jaeger and Grafana, each from its slice of StackConfig.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/parse";
import { configWarnings } from "./config/rules";
import { stellaDashboards } from "./dashboards";
import { dashboardContext } from "./dashboards/model";
import {
    alertmanagerConfig,
    alertmanagerContext,
    receiverCredentials,
    receiverIntegrations,
} from "./alerts/alertmanager-config";
import { alertNames, rulesContext, stellaRuleGroups } from "./alerts/rules";
import { LogCollector } from "./components/alloy";
import { NetworkPolicies } from "./components/network-policies";
import { Grafana } from "./components/grafana";
import { blackboxAddress, HealthProbes, healthScrapeConfigs } from "./components/health-probes";
import { Jaeger, jaegerPodMonitor } from "./components/jaeger";
import { Loki } from "./components/loki";
import { PrometheusStack, prometheusStackSecrets } from "./components/prometheus-stack";
import { stellaPodMonitors } from "./components/prometheus-specs";
import { datasourceUids, stellaJobs } from "./catalogue";

/**
 * What this stack configured, exported as the output `smokeExpectations`: what the post-deploy check
 * (tools/smoke-check.ts) must find running.
 */
export interface SmokeExpectations {
    /** STELLA's rule groups. */
    readonly ruleGroups: readonly string[];
    /** The scrape jobs whose `up` series must exist. */
    readonly scrapeJobs: readonly string[];
    /** Alertmanager's receivers, each with the integrations (slack_configs, pagerduty_configs, …) it has. */
    readonly receivers: readonly { readonly name: string; readonly integrations: readonly string[] }[];
    /** The uids of the Grafana data sources and dashboards this stack registers. */
    readonly grafanaDataSources: readonly string[];
    readonly grafanaDashboards: readonly string[];
}

/** What the stack exports: where people and STELLA's apps reach it. */
export interface MonitoringStackOutputs {
    grafanaUrl: string;
    grafanaAdminUser: string;
    grafanaAdminPassword: pulumi.Output<string>;
    prometheusUrl: string;
    alertmanagerUrl: string;
    lokiPushUrl: string;
    otlpGrpcEndpoint: string;
    otlpHttpEndpoint: string;
    jaegerQueryUrl: string;
    /** What the post-deploy check (tools/smoke-check.ts) must find running. */
    smokeExpectations: SmokeExpectations;
}

/**
 * Whether cert-manager issues Grafana's certificate: through grafana.ingress.certManagerClusterIssuer or
 * an issuer annotation of its own. Either may solve an HTTP-01 challenge in the monitoring namespace.
 */
export function usesCertManagerIssuer(ingress: StackConfig["grafana"]["ingress"]): boolean {
    const annotations = Object.keys(ingress.annotations);
    return (
        ingress.enabled &&
        (ingress.certManagerClusterIssuer !== undefined ||
            annotations.includes("cert-manager.io/cluster-issuer") ||
            annotations.includes("cert-manager.io/issuer"))
    );
}

/**
 * The Pod Security Standards labels of the namespace this program creates. node-exporter (hostNetwork,
 * hostPID, hostPath of / and /proc) and Alloy (hostPath of /var/log) need host access, which only the
 * privileged level admits; on a cluster whose default is baseline or restricted they would never start.
 * audit stays at baseline, so the API server's audit log still names every pod that needs more (warn
 * would print the same two DaemonSets on every `pulumi up`).
 */
export const podSecurityLabels = {
    "pod-security.kubernetes.io/enforce": "privileged",
    "pod-security.kubernetes.io/audit": "baseline",
} as const;

export function createMonitoringStack(config: StackConfig): MonitoringStackOutputs {
    for (const warning of configWarnings(config)) void pulumi.log.warn(warning);

    const provider = new k8s.Provider("kubernetes", {
        ...(config.kubernetes.context === undefined ? {} : { context: config.kubernetes.context }),
    });
    // In prod, what holds data (metrics, logs, dashboards, the CRDs, the namespace) is protected: a
    // mistaken `pulumi destroy` stops at them. Children inherit protect from their component.
    const protect = config.environment === "prod";
    const namespaceName = config.kubernetes.namespace;
    const namespace = config.kubernetes.createNamespace
        ? new k8s.core.v1.Namespace(
              "monitoring-namespace",
              {
                  metadata: {
                      name: namespaceName,
                      labels: { "app.kubernetes.io/part-of": "stella-monitoring", ...podSecurityLabels },
                  },
              },
              { provider, protect },
          ).metadata.name
        : pulumi.output(namespaceName);
    const opts: pulumi.ComponentResourceOptions = { providers: [provider] };
    const { versions, extraValues } = config;

    if (config.networkPolicies.enabled) {
        new NetworkPolicies(
            "network-policies",
            {
                namespace,
                otlpNamespaces: [config.stella.namespace, ...config.networkPolicies.otlpNamespaces],
                ingressControllerNamespace: config.networkPolicies.ingressControllerNamespace,
                acmeHttp01Solver: usesCertManagerIssuer(config.grafana.ingress),
            },
            opts,
        );
    }

    // What Prometheus and Alertmanager run, built here from the config and handed in as data, as
    // Grafana's dashboards are: the rule groups and alertmanager.yaml.
    const ruleGroups = stellaRuleGroups(rulesContext(config));
    const routing = alertmanagerConfig(alertmanagerContext(config, prometheusStackSecrets.receivers));
    const prometheus = new PrometheusStack(
        "prometheus",
        {
            namespace,
            namespaceName,
            version: versions.kubePrometheusStack,
            crdsVersion: versions.prometheusOperatorCrds,
            prometheus: config.prometheus,
            alertmanager: config.alertmanager,
            environment: config.environment,
            ruleGroups,
            alertmanagerConfig: routing,
            receiverCredentials: receiverCredentials(config.alerting),
            podMonitors: [
                ...stellaPodMonitors(config.stella, config.prometheus.scrapeInterval),
                jaegerPodMonitor(namespaceName, config.prometheus.scrapeInterval),
            ],
            additionalScrapeConfigs: healthScrapeConfigs({
                stella: config.stella,
                blackbox: blackboxAddress(namespaceName),
                interval: config.prometheus.scrapeInterval,
            }),
            extraValues: extraValues.kubePrometheusStack,
            crdsExtraValues: extraValues.prometheusOperatorCrds,
            protect,
        },
        opts,
    );

    new HealthProbes(
        "health-probes",
        { namespace, version: versions.blackboxExporter, extraValues: extraValues.blackboxExporter },
        opts,
    );

    const loki = new Loki(
        "loki",
        {
            namespace,
            namespaceName,
            version: versions.loki,
            loki: config.loki,
            crds: prometheus.crds,
            protect,
            extraValues: extraValues.loki,
        },
        opts,
    );

    new LogCollector(
        "alloy",
        {
            namespace,
            version: versions.alloy,
            lokiPushUrl: loki.pushUrl,
            alloy: config.alloy,
            crds: prometheus.crds,
            extraValues: extraValues.alloy,
        },
        opts,
    );

    const jaeger = new Jaeger(
        "jaeger",
        {
            namespace,
            namespaceName,
            version: versions.jaeger,
            jaeger: config.jaeger,
            prometheusUrl: prometheus.prometheusUrl,
            extraValues: extraValues.jaeger,
        },
        opts,
    );

    const dashboards = stellaDashboards(dashboardContext(config, alertNames(ruleGroups)));
    const grafana = new Grafana(
        "grafana",
        {
            namespace,
            version: versions.grafana,
            grafana: config.grafana,
            datasourceUrls: {
                prometheus: prometheus.prometheusUrl,
                loki: loki.url,
                jaeger: jaeger.queryUrl,
                alertmanager: prometheus.alertmanagerUrl,
            },
            traceLogNamespaces: [config.stella.namespace],
            scrapeInterval: config.prometheus.scrapeInterval,
            dashboards,
            crds: prometheus.crds,
            protect,
            extraValues: extraValues.grafana,
        },
        opts,
    );

    return {
        grafanaUrl: grafana.url,
        grafanaAdminUser: config.grafana.adminUser,
        grafanaAdminPassword: pulumi.secret(grafana.adminPassword),
        prometheusUrl: prometheus.prometheusUrl,
        alertmanagerUrl: prometheus.alertmanagerUrl,
        lokiPushUrl: loki.pushUrl,
        otlpGrpcEndpoint: jaeger.otlpGrpcEndpoint,
        otlpHttpEndpoint: jaeger.otlpHttpEndpoint,
        jaegerQueryUrl: jaeger.queryUrl,
        smokeExpectations: {
            ruleGroups: ruleGroups.map((group) => group.name),
            scrapeJobs: [stellaJobs.backend, stellaJobs.agents],
            receivers: receiverIntegrations(routing),
            grafanaDataSources: Object.values(datasourceUids),
            grafanaDashboards: dashboards.map((dashboard) => dashboard.uid),
        },
    };
}
