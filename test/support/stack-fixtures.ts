// The stacks' test fixtures: canary secrets (recognisable values that must land in their Secret and
// nowhere else), the config overrides that deliver them, the charts every stack installs, and dev's
// resources, which every other stack's list extends.

import type { ConfigOverride } from "../../tools/offline-config";

/** Plain-text config overrides (`--config`), written path: value, in order. */
export function plainOverrides(values: Readonly<Record<string, string>>): ConfigOverride[] {
    return Object.entries(values).map(([path, value]) => ({ path, value, secret: false }));
}

/** Canary secrets: recognisable values that must never appear in plain text outside their Secret. */
export const canaries = {
    slackWebhookUrl: "https://hooks.slack.com/services/T0CANARY/B0CANARY/canarySlackWebhook",
    pagerdutyRoutingKey: "CANARYpagerdutyRoutingKey0123456",
    heartbeatUrl: "https://hc-ping.example.com/CANARY-heartbeat-url",
    s3SecretAccessKey: "CANARY-s3-secret-access-key",
    storagePassword: "CANARY-opensearch-password",
    ssoClientSecret: "CANARY-sso-client-secret",
} as const;

/**
 * Single sign-on as staging and prod would run it: OpenID Connect, groups mapped to roles, the login
 * form off (the generated admin stays, for the Grafana provider). Its client secret is a canary.
 */
export const ssoOverrides: ConfigOverride[] = [
    ...plainOverrides({
        "grafana.sso.provider": "oidc",
        "grafana.sso.clientId": "stella-grafana",
    }),
    { path: "grafana.sso.clientSecret", value: canaries.ssoClientSecret, secret: true },
    ...plainOverrides({
        "grafana.sso.allowedGroups[0]": "stella-staff",
        "grafana.sso.roles.admin[0]": "sre",
        "grafana.sso.roles.editor[0]": "stella-developers",
        "grafana.sso.disableLoginForm": "true",
        "grafana.sso.oidc.issuer": "https://sso.stella.example.com/realms/stella",
        "grafana.sso.oidc.authorizeEndpoint": "/protocol/openid-connect/auth",
        "grafana.sso.oidc.tokenEndpoint": "/protocol/openid-connect/token",
        "grafana.sso.oidc.userinfoEndpoint": "/protocol/openid-connect/userinfo",
    }),
];

export const canaryOverrides: ConfigOverride[] = [
    { path: "alerting.slackWebhookUrl", value: canaries.slackWebhookUrl, secret: true },
    { path: "alerting.pagerdutyRoutingKey", value: canaries.pagerdutyRoutingKey, secret: true },
    { path: "alerting.heartbeatUrl", value: canaries.heartbeatUrl, secret: true },
    { path: "loki.objectStorage.secretAccessKey", value: canaries.s3SecretAccessKey, secret: true },
    { path: "jaeger.storage.password", value: canaries.storagePassword, secret: true },
    ...ssoOverrides,
];

/** The mock's stand-in for the generated Grafana password: a canary too. */
export const grafanaPasswordCanary = "mock-password-grafana-admin-password";

export const releases = {
    "kube-prometheus-stack": {
        chart: "kube-prometheus-stack",
        repository: "https://prometheus-community.github.io/helm-charts",
    },
    "kube-prometheus-stack-crds": {
        chart: "prometheus-operator-crds",
        repository: "https://prometheus-community.github.io/helm-charts",
    },
    loki: { chart: "loki", repository: "https://grafana-community.github.io/helm-charts" },
    alloy: { chart: "alloy", repository: "https://grafana.github.io/helm-charts" },
    jaeger: { chart: "jaeger", repository: "https://jaegertracing.github.io/helm-charts" },
    "blackbox-exporter": {
        chart: "prometheus-blackbox-exporter",
        repository: "https://prometheus-community.github.io/helm-charts",
    },
    grafana: { chart: "grafana", repository: "https://grafana-community.github.io/helm-charts" },
} as const;

/** Every resource a stack without object storage or a password-protected trace store registers. */
export const devResources = [
    "pulumi:providers:kubernetes kubernetes",
    "kubernetes:core/v1:Namespace monitoring-namespace",
    "stella:monitoring:PrometheusStack prometheus",
    "kubernetes:core/v1:Secret prometheus-receivers",
    "kubernetes:core/v1:Secret prometheus-alertmanager-config",
    "kubernetes:helm.sh/v3:Release prometheus",
    "kubernetes:helm.sh/v3:Release prometheus-crds",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor prometheus-stella-backend",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor prometheus-stella-agents",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor prometheus-jaeger",
    "kubernetes:monitoring.coreos.com/v1:PrometheusPatch prometheus-await-prometheus",
    "kubernetes:monitoring.coreos.com/v1:AlertmanagerPatch prometheus-await-alertmanager",
    "stella:monitoring:HealthProbes health-probes",
    "kubernetes:helm.sh/v3:Release health-probes",
    "stella:monitoring:Loki loki",
    "kubernetes:helm.sh/v3:Release loki",
    "stella:monitoring:LogCollector alloy",
    "kubernetes:helm.sh/v3:Release alloy",
    "stella:monitoring:Jaeger jaeger",
    "kubernetes:helm.sh/v3:Release jaeger",
    "stella:monitoring:Grafana grafana",
    "random:index/randomPassword:RandomPassword grafana-admin-password",
    "kubernetes:core/v1:Secret grafana-admin",
    "kubernetes:helm.sh/v3:Release grafana",
    "pulumi:providers:grafana grafana-provider",
    "grafana:oss/folder:Folder grafana-folder",
    "grafana:oss/dataSource:DataSource grafana-datasource-prometheus",
    "grafana:oss/dataSource:DataSource grafana-datasource-loki",
    "grafana:oss/dataSource:DataSource grafana-datasource-jaeger",
    "grafana:oss/dataSource:DataSource grafana-datasource-alertmanager",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-overview",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-system",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-agents",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-infrastructure",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-slo",
    "grafana:oss/dashboard:Dashboard grafana-dashboard-stella-logs-traces",
];
