// The rules between keys and per environment, as a table: what staging and prod require, what a key
// requires, what a key is only valid with, and what the stack only warns about. Each row names its key;
// the order of the rows is the order of the messages. The few checks that compute (sizes, pairs, one
// message per list item) are rows of their own, in their place.

import { operatorPairProblem } from "../versions";
import { byteSizeBytes, maxRetentionShare, quantityBytes, shown } from "./formats";
import type { Environment } from "./project";
import { placeholderRunbookBaseUrl } from "./schema/alerting";
import { mandatoryLogLabels, unboundedLogFields } from "./schema/loki";
import type { ParsedConfig } from "./schema";

/** The parts of the config the rules read: the schema's output, or the StackConfig resolved from it. */
type Config = Pick<ParsedConfig, "alerting" | "alloy" | "grafana" | "jaeger" | "loki" | "prometheus" | "versions">;

/** Where a rule holds: the production-grade environments refuse to run half-configured. */
const production: readonly Environment[] = ["staging", "prod"];

interface KeyRule {
    /** required: in an environment; requires: another key with this one; only with: another key's value. */
    readonly kind: "required" | "requires" | "only with" | "consistent" | "warning";
    /** The key the message names first. */
    readonly key: string;
    /** The environments where the rule holds; unset: all of them. */
    readonly in?: readonly Environment[];
    /** Whether the config breaks the rule. */
    readonly broken: (config: Config, environment: Environment) => boolean;
    /** What is wrong and what to do, after the key. */
    readonly says: (environment: Environment, config: Config) => string;
}

/** A check that computes its messages: a size against another, a pair of versions, one per list item. */
interface Check {
    readonly kind: "check";
    readonly problems: (config: Config) => string[];
}

type Rule = KeyRule | Check;

const setSecret = (path: string) =>
    `set it with: pulumi config set --secret --path ${path} <value> (offline render: --secret ${path}=<value>)`;

/** The configuration problems, in message order. */
const rules: readonly Rule[] = [
    {
        kind: "required",
        key: "alerting.slackWebhookUrl",
        in: production,
        broken: (config) => config.alerting.slackWebhookUrl === undefined,
        says: (environment) => `required in ${environment}; ${setSecret("alerting.slackWebhookUrl")}`,
    },
    {
        kind: "required",
        key: "alerting.pagerdutyRoutingKey",
        in: production,
        broken: (config) => config.alerting.pagerdutyRoutingKey === undefined,
        says: (environment) => `required in ${environment}; ${setSecret("alerting.pagerdutyRoutingKey")}`,
    },
    {
        // Without a dead man's switch a crash-looping Prometheus, a dead Alertmanager or blocked egress
        // pages nobody. Staging only warns (below).
        kind: "required",
        key: "alerting.heartbeatUrl",
        in: ["prod"],
        broken: (config) => config.alerting.heartbeatUrl === undefined,
        says: () =>
            `required in prod: a dead man's switch URL (healthchecks.io, Cronitor, PagerDuty heartbeat) that pages when the Watchdog's pings stop; ${setSecret("alerting.heartbeatUrl")}`,
    },
    {
        kind: "required",
        key: "loki.objectStorage",
        in: production,
        broken: (config) => config.loki.objectStorage === undefined,
        says: (environment) => `required in ${environment}: logs must live in S3-compatible object storage`,
    },
    {
        kind: "required",
        key: "jaeger.storage.type",
        in: production,
        broken: (config) => config.jaeger.storage.type === "memory",
        says: (environment) =>
            `"memory" loses every trace on restart; ${environment} needs "elasticsearch" or "opensearch"`,
    },
    {
        kind: "required",
        key: "alerting.runbookBaseUrl",
        in: production,
        broken: (config) => config.alerting.runbookBaseUrl === placeholderRunbookBaseUrl,
        says: (environment) =>
            `${environment} must not keep the placeholder ${placeholderRunbookBaseUrl}: every alert links there; set it to where docs/runbooks is browsed`,
    },
    { kind: "check", problems: retentionSizeProblems },
    {
        kind: "check",
        problems: (config) => {
            const problem = operatorPairProblem(
                config.versions.kubePrometheusStack,
                config.versions.prometheusOperatorCrds,
            );
            return problem === undefined ? [] : [problem];
        },
    },
    { kind: "check", problems: remoteWriteProblems },
    {
        kind: "requires",
        key: "loki.objectStorage.secretAccessKey",
        broken: (config) =>
            config.loki.objectStorage !== undefined && config.loki.objectStorage.secretAccessKey === undefined,
        says: () => `required with loki.objectStorage; ${setSecret("loki.objectStorage.secretAccessKey")}`,
    },
    {
        kind: "requires",
        key: "loki.mode",
        broken: (config) => config.loki.mode === "distributed" && config.loki.objectStorage === undefined,
        says: () => '"distributed" needs loki.objectStorage (its components share the store)',
    },
    {
        kind: "consistent",
        key: "loki.limits.ingestionBurstSizeMb",
        broken: ({ loki: { limits } }) => limits.ingestionBurstSizeMb < limits.ingestionRateMb,
        says: (_, { loki: { limits } }) =>
            `${limits.ingestionBurstSizeMb} is below loki.limits.ingestionRateMb (${limits.ingestionRateMb}); the burst must be at least the rate`,
    },
    // Cardinality guards: the label allow-list keeps what the dashboards need, stays bounded, and fits
    // in Loki's per-stream label budget (service_name comes on top).
    { kind: "check", problems: logLabelProblems },
    {
        kind: "requires",
        key: "loki.replicas",
        broken: (config) => config.loki.replicas > 1 && config.loki.objectStorage === undefined,
        says: () => "more than one Loki replica needs loki.objectStorage (the chart refuses it otherwise)",
    },
    {
        kind: "requires",
        key: "jaeger.storage.serverUrls",
        broken: ({ jaeger: { storage } }) => storage.type !== "memory" && storage.serverUrls === undefined,
        says: (_, config) => `required when jaeger.storage.type is "${config.jaeger.storage.type}"`,
    },
    {
        kind: "requires",
        key: "jaeger.replicas",
        broken: (config) => config.jaeger.storage.type === "memory" && config.jaeger.replicas > 1,
        says: () =>
            'in-memory storage is per pod; more than one replica needs jaeger.storage.type "elasticsearch" or "opensearch"',
    },
    {
        kind: "requires",
        key: "jaeger.storage.password",
        broken: ({ jaeger: { storage } }) => storage.username !== undefined && storage.password === undefined,
        says: () => `required with jaeger.storage.username; ${setSecret("jaeger.storage.password")}`,
    },
    {
        kind: "requires",
        key: "jaeger.storage.username",
        broken: ({ jaeger: { storage } }) => storage.password !== undefined && storage.username === undefined,
        says: () => "required when jaeger.storage.password is set",
    },
    {
        kind: "requires",
        key: "grafana.replicas",
        broken: (config) => config.grafana.replicas > 1 && config.grafana.database === undefined,
        says: () => "more than one replica needs grafana.database (sqlite is per pod)",
    },
    {
        kind: "only with",
        key: "grafana.persistence.enabled",
        broken: (config) => config.grafana.replicas > 1 && config.grafana.persistence.enabled,
        says: () => "replicas share grafana.database, not a ReadWriteOnce volume; turn persistence off",
    },
    {
        kind: "requires",
        key: "grafana.database.password",
        broken: (config) => config.grafana.database !== undefined && config.grafana.database.password === undefined,
        says: () => `required with grafana.database; ${setSecret("grafana.database.password")}`,
    },
    {
        kind: "requires",
        key: "grafana.ingress.certManagerClusterIssuer",
        broken: ({ grafana: { ingress } }) =>
            ingress.certManagerClusterIssuer !== undefined && ingress.tlsSecretName === undefined,
        says: () => "needs grafana.ingress.tlsSecretName, the Secret it issues into",
    },
    {
        kind: "only with",
        key: "grafana.service.nodePort",
        broken: ({ grafana: { service } }) => service.nodePort !== undefined && service.type !== "NodePort",
        says: () => 'only valid with grafana.service.type "NodePort"',
    },
    // Single sign-on: per-provider keys, and who may sign in.
    {
        kind: "requires",
        key: "grafana.sso.clientSecret",
        broken: ({ grafana: { sso } }) => sso !== undefined && sso.clientSecret === undefined,
        says: () => `required with grafana.sso; ${setSecret("grafana.sso.clientSecret")}`,
    },
    {
        kind: "requires",
        key: "grafana.sso.oidc",
        broken: ({ grafana: { sso } }) => sso?.provider === "oidc" && sso.oidc === undefined,
        says: (_, config) =>
            `required with ${ssoProvider(config)}: issuer, authorizeEndpoint, tokenEndpoint, userinfoEndpoint (from the issuer's /.well-known/openid-configuration)`,
    },
    {
        kind: "only with",
        key: "grafana.sso.oidc",
        broken: ({ grafana: { sso } }) => sso !== undefined && sso.provider !== "oidc" && sso.oidc !== undefined,
        says: (_, config) => `only valid with grafana.sso.provider "oidc", not ${shown(config.grafana.sso?.provider)}`,
    },
    {
        kind: "requires",
        key: "grafana.sso.allowedOrganizations",
        broken: ({ grafana: { sso } }) => sso?.provider === "github" && sso.allowedOrganizations.length === 0,
        says: (_, config) => `required with ${ssoProvider(config)}: without it every GitHub account signs in`,
    },
    {
        kind: "only with",
        key: "grafana.sso.allowedOrganizations",
        broken: ({ grafana: { sso } }) =>
            sso !== undefined && sso.provider !== "github" && sso.allowedOrganizations.length > 0,
        says: () => `only valid with grafana.sso.provider "github"`,
    },
    {
        kind: "only with",
        key: "grafana.sso.allowedGroups",
        broken: ({ grafana: { sso } }) => sso?.provider === "github" && sso.allowedGroups.length > 0,
        says: () =>
            `GitHub has no groups to allow; use grafana.sso.allowedOrganizations (teams such as @org/team go in grafana.sso.roles)`,
    },
    {
        kind: "requires",
        key: "grafana.sso.allowedDomains",
        broken: ({ grafana: { sso } }) =>
            sso?.provider === "google" && sso.allowedDomains.length === 0 && sso.allowedGroups.length === 0,
        says: (_, config) =>
            `required with ${ssoProvider(config)} (or grafana.sso.allowedGroups): without either every Google account signs in`,
    },
    { kind: "check", problems: ssoRoleProblems },
    {
        kind: "only with",
        key: "grafana.ingress.tlsSecretName",
        broken: ({ grafana: { ingress } }) => ingress.tlsSecretName !== undefined && !ingress.enabled,
        says: () => "only valid with grafana.ingress.enabled true",
    },
];

/** What the stack warns about when it runs (stack.ts logs them), in this order. */
const warnings: readonly KeyRule[] = [
    {
        kind: "warning",
        key: "alerting.slackWebhookUrl",
        broken: (config) => config.alerting.slackWebhookUrl === undefined,
        says: () =>
            "is not set: Alertmanager has no external receivers and drops every alert. " +
            "Set it with: pulumi config set --secret --path alerting.slackWebhookUrl <url>",
    },
    {
        // prod refuses to run without one (above); staging is told.
        kind: "warning",
        key: "alerting.heartbeatUrl",
        in: ["staging"],
        broken: (config) => config.alerting.heartbeatUrl === undefined,
        says: () =>
            "is not set: nothing pages when Prometheus or Alertmanager itself dies. " +
            "Point it at a dead man's switch (healthchecks.io, Cronitor, PagerDuty heartbeat): " +
            "pulumi config set --secret --path alerting.heartbeatUrl <url>",
    },
    {
        kind: "warning",
        key: "alerting.pagerdutyRoutingKey",
        broken: (config) =>
            config.alerting.slackWebhookUrl !== undefined && config.alerting.pagerdutyRoutingKey === undefined,
        says: () => "is not set: critical alerts go to Slack only, nobody is paged.",
    },
];

const holds = (rule: KeyRule, environment: Environment) => rule.in === undefined || rule.in.includes(environment);

/** What the environment and the keys between them require: every problem, in the table's order. */
export function environmentProblems(config: Config, environment: Environment): string[] {
    return rules.flatMap((rule) => {
        if (rule.kind === "check") return rule.problems(config);
        return holds(rule, environment) && rule.broken(config, environment)
            ? [`${rule.key}: ${rule.says(environment, config)}`]
            : [];
    });
}

/** What the stack warns about: a config that runs, but not as well as it could. */
export function configWarnings(config: Config & { readonly environment: Environment }): string[] {
    return warnings
        .filter((rule) => holds(rule, config.environment) && rule.broken(config, config.environment))
        .map((rule) => `${rule.key} ${rule.says(config.environment, config)}`);
}

const ssoProvider = (config: Config) => `grafana.sso.provider "${config.grafana.sso?.provider}"`;

function retentionSizeProblems(config: Config): string[] {
    const { retentionSize, storage: prometheusVolume } = config.prometheus;
    if (retentionSize === undefined || !prometheusVolume.enabled) return [];
    const share = byteSizeBytes(retentionSize) / quantityBytes(prometheusVolume.size);
    if (share <= maxRetentionShare) return [];
    const most = Math.floor((quantityBytes(prometheusVolume.size) * maxRetentionShare) / 2 ** 30);
    return [
        `prometheus.retentionSize: ${retentionSize} is ${Math.round(share * 100)}% of prometheus.storage.size ${prometheusVolume.size}; ` +
            `at most ${maxRetentionShare * 100}% (here ${most}GB), so that compaction and the WAL have room (Prometheus counts 1GB as 1Gi)`,
    ];
}

function remoteWriteProblems(config: Config): string[] {
    const targets = config.prometheus.remoteWrite;
    return targets.flatMap((target, index) => {
        const at = `prometheus.remoteWrite[${index}]`;
        const problems: string[] = [];
        // The name keys the target's credentials in the Secret, and the operator wants it unique.
        if (targets.findIndex((other) => other.name === target.name) !== index)
            problems.push(`${at}.name: "${target.name}" names another target already; each needs its own name`);
        if (target.basicAuth !== undefined && target.bearerToken !== undefined)
            problems.push(`${at}.bearerToken: set basicAuth or bearerToken, not both (Prometheus takes one)`);
        if (target.basicAuth !== undefined && target.basicAuth.password === undefined)
            problems.push(
                `${at}.basicAuth.password: required with basicAuth; ${setSecret(`${at}.basicAuth.password`)}`,
            );
        return problems;
    });
}

/** Each group gets one Grafana role. */
function ssoRoleProblems(config: Config): string[] {
    const sso = config.grafana.sso;
    if (sso === undefined) return [];
    const problems: string[] = [];
    const roleOf = new Map<string, string>();
    for (const [role, groups] of Object.entries(sso.roles)) {
        for (const group of groups) {
            const other = roleOf.get(group);
            if (other !== undefined) {
                problems.push(
                    `grafana.sso.roles.${role}: group ${shown(group)} is also in grafana.sso.roles.${other}; give each group one role`,
                );
            }
            roleOf.set(group, role);
        }
    }
    return problems;
}

function logLabelProblems(config: Config): string[] {
    const problems: string[] = [];
    const logLabels = config.alloy.labels;
    const missingLabels = mandatoryLogLabels.filter((label) => !logLabels.includes(label));
    if (missingLabels.length > 0) {
        problems.push(
            `alloy.labels: must keep ${missingLabels.join(", ")} (the dashboards, alerts and runbooks select on ${mandatoryLogLabels.join(", ")}); add the missing to the list`,
        );
    }
    const unboundedLabels = logLabels.filter((label) => (unboundedLogFields as readonly string[]).includes(label));
    if (unboundedLabels.length > 0) {
        problems.push(
            `alloy.labels: ${unboundedLabels.join(", ")} take a value per session or request and stay structured metadata; as labels each value would be a stream`,
        );
    }
    const duplicateLabels = logLabels.filter((label, index) => logLabels.indexOf(label) !== index);
    if (duplicateLabels.length > 0) problems.push(`alloy.labels: ${duplicateLabels.join(", ")} listed twice`);
    const labelNames = new Set(logLabels).size + 1;
    const limit = config.loki.limits.maxLabelNamesPerSeries;
    if (labelNames > limit) {
        problems.push(
            `alloy.labels: ${labelNames - 1} labels plus Loki's service_name exceed loki.limits.maxLabelNamesPerSeries (${limit}); Loki would refuse every stream`,
        );
    }
    return problems;
}
