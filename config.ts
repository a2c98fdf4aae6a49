// The stack's configuration: one typed StackConfig, read from Pulumi config once, at the edge, and
// validated before any resource is registered. Every error names the config key and what is allowed.
// Defaults live here, in the schema; Pulumi.yaml documents them and a test keeps the two equal.

import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { closest, distance } from "fastest-levenshtein";
import { chartKeys, defaultVersions, operatorPairProblem } from "./versions";

/** The Pulumi project name: config keys live in this namespace (`stella-monitoring:<key>`). */
export const projectName = "stella-monitoring";

/** The environments this program knows; a stack is one of them by name or by its `environment` key. */
export const environments = ["dev", "staging", "prod"] as const;
export type Environment = (typeof environments)[number];

/**
 * The stand-in the offline render gives a `secure:` value it cannot decrypt. Format checks skip it,
 * so that a stack file holding real encrypted secrets renders offline.
 */
export const offlineSecretPlaceholder = "[secret]";

/** A configuration error: it names the key. A RunError, so Pulumi prints it without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

// ---------------------------------------------------------------------------------------------
// Value formats

const durationPattern = /^(\d+(ms|s|m|h|d|w|y))+$/;
const quantityPattern = /^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const byteSizePattern = /^\d+(\.\d+)?(B|KB|MB|GB|TB|PB|EB)$/;
const exactVersionPattern = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const shown = (input: unknown) => JSON.stringify(input);

function formatted(pattern: RegExp, what: string) {
    return z.string().refine((value) => pattern.test(value), {
        error: (issue) => `expected ${what}, got ${shown(issue.input)}`,
    });
}

/** A Prometheus-style duration: 30s, 5m, 4h, 15d, 1h30m. */
const duration = formatted(durationPattern, "a duration such as 30s, 5m, 168h or 15d");
/** A Kubernetes resource quantity: 100m, 0.5, 256Mi, 10Gi; `pulumi config set --path … 2` stores a number. */
const quantity = z.preprocess(
    (value) => (typeof value === "number" ? String(value) : value),
    formatted(quantityPattern, "a Kubernetes quantity such as 100m, 256Mi or 10Gi"),
);
/** A Prometheus byte size, for retentionSize: 45GB. */
const byteSize = formatted(byteSizePattern, "a size with a unit B, KB, MB, GB, TB or PB, such as 45GB");
/** A Loki byte size: 256KB, 3MB. */
const lokiByteSize = formatted(/^\d+(KB|MB|GB)$/, "a size in KB, MB or GB, such as 256KB or 3MB");

/**
 * Whether a value reads back unchanged when it is pasted, unquoted, after `key: ` in a YAML block
 * mapping: what Loki does with ${VAR} in its config (-config.expand-env) before it parses the file.
 * A " #" starts a comment, ": " a mapping, a leading indicator an alias, tag, flow or block scalar.
 */
export function survivesYamlExpansion(value: string): boolean {
    return (
        // Line breaks and other control characters (a tab is fine inside a plain scalar).
        ![...value].some((char) => char !== "\t" && (char < " " || char === "\x7f")) &&
        !/^[\s,[\]{}#&*!|>'"%@`]/.test(value) &&
        !/^[-?:](\s|$)/.test(value) &&
        !/\s$/.test(value) &&
        !/\s#|:\s|:$/.test(value) &&
        !/^(~|null|Null|NULL)$/.test(value)
    );
}
const dnsLabel = formatted(dnsLabelPattern, "a DNS label (lower-case letters, digits and '-')");
const labelValue = formatted(labelValuePattern, "a Kubernetes label value");
const dnsName = formatted(dnsNamePattern, "a lower-case DNS name such as system-node-critical");
/**
 * A number that also takes its decimal text: `pulumi config set --path a.b 0.5` stores "0.5" as a
 * string (only integers and booleans are typed without --type).
 */
function numeric<T extends z.ZodNumber>(schema: T) {
    return z.preprocess(
        (value) => (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value),
        schema,
    );
}

const port = numeric(z.number().int().min(1).max(65535));
const positiveCount = numeric(z.number().int().positive());
/** One scrape target's limits (a PodMonitor's sampleLimit, labelLimit, labelNameLengthLimit, labelValueLengthLimit). */
const scrapeLimits = z.strictObject({
    /** Samples per scrape, after metric relabeling; STELLA warns at 80 %. */
    samples: positiveCount.default(5000),
    /** Labels per series, __name__ and the target labels (job, namespace, pod, …) included. */
    labels: positiveCount.default(30),
    /** Characters of a label name. */
    labelNameLength: positiveCount.default(128),
    /** Characters of a label value. */
    labelValueLength: positiveCount.default(256),
});
const metricName = formatted(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric or label name");
/** A share between 0 and 1, exclusive: 0.999. A percentage is the usual slip; the message converts it. */
const ratioMessage = (issue: { input?: unknown }) => {
    const input = issue.input;
    const percentage =
        typeof input === "number" && input > 1 && input < 100
            ? ` (for ${input}% write ${Number((input / 100).toPrecision(12))})`
            : "";
    return `expected a ratio between 0 and 1, such as 0.999, got ${shown(input)}${percentage}`;
};
const ratio = numeric(z.number().gt(0, { error: ratioMessage }).lt(1, { error: ratioMessage }));

function httpUrl(what = "an http(s) URL") {
    return z.string().refine(isHttpUrl, { error: (issue) => `expected ${what}, got ${shown(issue.input)}` });
}

function isHttpUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
        return false;
    }
}

/**
 * A secret string. Its value never appears in an error message. `check` is the format, skipped for
 * the offline render's placeholder.
 */
function secretString(check: (value: string) => boolean, what: string) {
    return z.string().refine((value) => value === offlineSecretPlaceholder || check(value), {
        error: () => `expected ${what} (value not shown: it is a secret)`,
    });
}

/** The default runbook host: a placeholder that staging and prod must replace. */
export const placeholderRunbookBaseUrl = "https://git.stella.example.com/sre/stella-monitoring/blob/main/docs/runbooks";

/** The protocols Prometheus falls back to when a target sends no or an unknown Content-Type. */
export const scrapeProtocols = [
    "PrometheusText0.0.4",
    "PrometheusText1.0.0",
    "OpenMetricsText0.0.1",
    "OpenMetricsText1.0.0",
    "PrometheusProto",
] as const;

/** An https:// URL: what an identity provider's endpoints must be (credentials and tokens cross them). */
function httpsUrl(what: string) {
    return z.string().refine((value) => isHttpUrl(value) && value.startsWith("https://"), {
        error: (issue) => `expected ${what}, got ${shown(issue.input)}`,
    });
}

/**
 * A group (or GitHub team) as the identity provider names it. It lands inside a JMESPath string literal
 * ('…') and in Grafana's space-separated lists, so quotes, backslashes, braces (Helm's tpl), ";" and "#"
 * (ini comments), commas and whitespace are refused: use the group's id or slug.
 */
const ssoGroup = z.string().refine((value) => /^[^\s,'"\\{};#]+$/.test(value), {
    error: (issue) =>
        `expected a group name without spaces, commas, quotes, backslashes, braces, ";" or "#" (use its id or slug), got ${shown(issue.input)}`,
});
const ssoGroups = z.array(ssoGroup).default([]);

/** An OIDC endpoint: an https:// URL, or a path below the issuer (/protocol/openid-connect/token). */
const oidcEndpoint = z
    .string()
    .refine((value) => /^\/[\w\-./~%]*$/.test(value) || (isHttpUrl(value) && value.startsWith("https://")), {
        error: (issue) =>
            `expected an https:// URL or a path below the issuer such as /token, got ${shown(issue.input)}`,
    });

// ---------------------------------------------------------------------------------------------
// The schema. Every object is strict: an unknown key is an error, with a suggestion.

const resources = (requests: { cpu: string; memory: string }, memoryLimit: string) =>
    z
        .strictObject({
            /** What the scheduler reserves. */
            requests: z
                .strictObject({ cpu: quantity.default(requests.cpu), memory: quantity.default(requests.memory) })
                .prefault({}),
            /** The memory limit (no CPU limit: CPU throttling hurts latency more than it protects). */
            limits: z.strictObject({ memory: quantity.default(memoryLimit) }).prefault({}),
        })
        .prefault({});

export type Resources = z.infer<ReturnType<typeof resources>>;

/** A persistent volume; `enabled: false` means an emptyDir (data lost with the pod). */
const persistentVolume = (enabled: boolean, size: string) =>
    z
        .strictObject({
            enabled: z.boolean().default(enabled),
            size: quantity.default(size),
            /** The StorageClass; unset uses the cluster's default class. */
            storageClass: z.string().min(1).optional(),
        })
        .prefault({});

export type PersistentVolume = z.infer<ReturnType<typeof persistentVolume>>;

/** A Kubernetes toleration; "Exists" without a key tolerates every taint. */
const toleration = z
    .strictObject({
        key: z.string().min(1).optional(),
        operator: z.enum(["Exists", "Equal"]).default("Equal"),
        value: z.string().optional(),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
        tolerationSeconds: numeric(z.number().int().min(0)).optional(),
    })
    .refine((t) => t.operator !== "Exists" || t.value === undefined, {
        error: 'operator "Exists" takes no value',
    })
    .refine((t) => t.operator !== "Equal" || t.key !== undefined, {
        error: 'operator "Equal" needs a key',
    });

/** Chart values deep-merged last over what this program builds: an escape hatch that always wins. */
const extraValues = z.record(z.string(), z.unknown()).default({});

const schema = z.strictObject({
    /** Which environment profile the stack follows; defaults to the stack name. */
    environment: z.enum(environments).optional(),

    kubernetes: z
        .strictObject({
            /** The namespace the whole stack installs into. */
            namespace: dnsLabel.default("monitoring"),
            /** Create the namespace (false: it exists already). */
            createNamespace: z.boolean().default(true),
            /** The kubeconfig context to deploy to; unset uses the current context. */
            context: z.string().min(1).optional(),
        })
        .prefault({}),

    versions: z
        .strictObject(
            Object.fromEntries(
                chartKeys.map((key) => [
                    key,
                    formatted(
                        exactVersionPattern,
                        "an exact chart version such as 1.2.3 (no ranges, no 'latest')",
                    ).default(defaultVersions[key]),
                ]),
            ) as Record<(typeof chartKeys)[number], z.ZodDefault<ReturnType<typeof formatted>>>,
        )
        .prefault({}),

    stella: z
        .strictObject({
            /** The namespace STELLA's workloads run in. */
            namespace: dnsLabel.default("ai-agents"),
            backend: z
                .strictObject({
                    /** The backend pods' `app` label. */
                    appLabel: labelValue.default("session-management-server"),
                    /** The container port that serves /metrics and /health. */
                    port: port.default(3000),
                    metricsPath: z.string().startsWith("/").default("/metrics"),
                    /** Liveness endpoint. */
                    healthPath: z.string().startsWith("/").default("/health"),
                    /** Readiness endpoint (checks the database). */
                    readinessPath: z.string().startsWith("/").default("/health/ready"),
                })
                .prefault({}),
            agents: z
                .strictObject({
                    /** The agent pods' `app` label. */
                    appLabel: labelValue.default("stella-agent"),
                    /** The container port that serves the agents' Prometheus metrics. */
                    port: port.default(8000),
                    metricsPath: z.string().startsWith("/").default("/metrics"),
                    /** The agent container's name, for kube-state-metrics' restart counter. */
                    containerName: labelValue.default("agent"),
                })
                .prefault({}),
            /**
             * How Prometheus parses a scrape of STELLA's pods that comes with no or an unknown Content-Type
             * (a handler that returns the metrics as a string is sent as text/html); Prometheus 3 refuses
             * such a scrape otherwise.
             */
            fallbackScrapeProtocol: z.enum(scrapeProtocols).default("PrometheusText0.0.4"),
            /**
             * Per-scrape limits of STELLA's targets, by job: one deploy that puts a user id or a prompt
             * into a label must not take Prometheus down for everyone. A scrape over a limit is
             * rejected whole (the target's metrics are lost until it is fixed). The defaults are far
             * above what the apps expose today (about 130 samples per backend pod, 70 per agent pod, at
             * most 12 labels per series with the target labels, names of 14 and values of 63 characters).
             */
            scrapeLimits: z
                .strictObject({
                    backend: scrapeLimits.prefault({}),
                    agents: scrapeLimits.prefault({}),
                })
                .prefault({}),
            /** The metric names STELLA exposes (docs/metrics.md); the defaults are what the apps ship. */
            metrics: z
                .strictObject({
                    httpRequestsTotal: metricName.default("stella_http_requests_total"),
                    /** The label of httpRequestsTotal that holds the HTTP status code. */
                    statusLabel: metricName.default("status"),
                    /** The request latency histogram, without _bucket/_count/_sum; in seconds. */
                    httpRequestDuration: metricName.default("stella_http_request_duration"),
                    sessionsActive: metricName.default("stella_sessions_active"),
                    agentMessagesTotal: metricName.default("stella_agent_messages_total"),
                    /** The agent response histogram, without _bucket; in seconds. */
                    agentResponseSeconds: metricName.default("stella_agent_response_seconds"),
                    agentConversationsActive: metricName.default("stella_agent_conversations_active"),
                })
                .prefault({}),
        })
        .prefault({}),

    /** Service level objectives for the backend, paged on by multiwindow, multi-burn-rate alerts. */
    slo: z
        .strictObject({
            /** The share of requests that must not fail with a 5xx, over 30 days. */
            availabilityTarget: ratio.default(0.999),
            /** The share of requests that must be faster than latencyThresholdSeconds. */
            latencyTarget: ratio.default(0.99),
            /** The latency threshold, in seconds; it must be a bucket boundary (le) of the histogram. */
            latencyThresholdSeconds: numeric(z.number().positive()).default(1),
        })
        .prefault({}),

    prometheus: z
        .strictObject({
            replicas: numeric(z.number().int().min(1).max(10)).default(1),
            /** How long samples are kept. */
            retention: duration.default("7d"),
            /** The most disk the TSDB may use before the oldest blocks go; unset: no size limit. */
            retentionSize: byteSize.optional(),
            scrapeInterval: duration.default("15s"),
            evaluationInterval: duration.default("15s"),
            storage: persistentVolume(false, "20Gi"),
            resources: resources({ cpu: "200m", memory: "512Mi" }, "1Gi"),
            /**
             * Scrape the control plane (controller-manager, scheduler, etcd, kube-proxy). Off where the
             * cluster hides them (kind binds them to localhost; managed clusters do not expose them).
             */
            scrapeControlPlane: z.boolean().default(false),
            /** Spread replicas over nodes: "soft" prefers it, "hard" requires it (one replica per node). */
            podAntiAffinity: z.enum(["soft", "hard"]).default("soft"),
            /**
             * The external label `cluster` on every series and alert this Prometheus sends out (with
             * `environment`), so that stacks writing to one store never collide. Unset: kubernetes.context,
             * else the stack's name.
             */
            cluster: z.string().min(1).optional(),
            /** The namespaces whose PrometheusRules this Prometheus loads. Unset: the stack's and stella.namespace. */
            ruleNamespaces: z.array(dnsLabel).min(1).optional(),
            /** Long-term stores (Thanos Receive, Mimir, …) that every sample is also written to. */
            remoteWrite: z
                .array(
                    z.strictObject({
                        name: z.string().regex(/^[a-z0-9-]+$/, "expected a short lower-case name"),
                        url: httpUrl(),
                        /**
                         * Extra HTTP headers, such as Mimir's tenant `X-Scope-OrgID`. Plain text: the operator
                         * takes headers only inline in the Prometheus resource, so no credential goes here.
                         */
                        headers: z
                            .record(
                                formatted(/^[A-Za-z0-9-]+$/, "an HTTP header name").refine(
                                    (name) => name.toLowerCase() !== "authorization",
                                    {
                                        error: "Authorization is not a plain header: set bearerToken or basicAuth (secrets)",
                                    },
                                ),
                                z.string(),
                            )
                            .default({}),
                        /** HTTP basic auth; the password is a secret. */
                        basicAuth: z
                            .strictObject({
                                username: z.string().min(1),
                                password: secretString((value) => value.length > 0, "a non-empty password").optional(),
                            })
                            .optional(),
                        /** A bearer token (secret), sent as `Authorization: Bearer <token>`. */
                        bearerToken: secretString((value) => value.length > 0, "a non-empty token").optional(),
                    }),
                )
                .default([]),
        })
        .prefault({}),

    alertmanager: z
        .strictObject({
            replicas: numeric(z.number().int().min(1).max(10)).default(1),
            retention: duration.default("120h"),
            storage: persistentVolume(false, "2Gi"),
            resources: resources({ cpu: "20m", memory: "64Mi" }, "128Mi"),
            /**
             * Spread replicas over nodes: "soft" prefers it, "hard" requires one node per replica. Its
             * own setting: 3 gossiping replicas survive sharing a node far better than no Alertmanager.
             */
            podAntiAffinity: z.enum(["soft", "hard"]).default("soft"),
        })
        .prefault({}),

    alerting: z
        .strictObject({
            /** The Slack incoming-webhook URL (secret). */
            slackWebhookUrl: secretString(
                (value) => isHttpUrl(value) && value.startsWith("https://"),
                "an https:// Slack incoming-webhook URL",
            ).optional(),
            /** The PagerDuty Events API v2 integration (routing) key (secret). */
            pagerdutyRoutingKey: secretString(
                (value) => /^[A-Za-z0-9]{20,64}$/.test(value),
                "a PagerDuty Events API v2 integration key (20 to 64 letters and digits)",
            ).optional(),
            groupWait: duration.default("30s"),
            groupInterval: duration.default("5m"),
            repeatInterval: duration.default("4h"),
            /**
             * A dead man's switch (secret: its URL is its credential): a URL that Alertmanager calls every
             * minute while the always-firing Watchdog alert is alive (healthchecks.io, Cronitor, …); when
             * the calls stop, that service pages. Required in prod; unset elsewhere: no heartbeat.
             */
            heartbeatUrl: secretString(isHttpUrl, "an http(s):// dead man's switch URL").optional(),
            /** Where the runbooks are browsed; each alert links to <runbookBaseUrl>/<AlertName>.md. */
            runbookBaseUrl: httpUrl().default(placeholderRunbookBaseUrl),
            /** Alert thresholds; the defaults are the seed's. */
            thresholds: z
                .strictObject({
                    /** HighErrorRate: the share of 5xx responses over 5m. */
                    errorRate: ratio.default(0.05),
                    errorRateFor: duration.default("5m"),
                    /** HighLatency: backend p95 latency, seconds. */
                    latencyP95Seconds: numeric(z.number().positive()).default(2),
                    latencyFor: duration.default("5m"),
                    /** HighSessionCount: active sessions. */
                    activeSessions: numeric(z.number().int().positive()).default(100),
                    activeSessionsFor: duration.default("10m"),
                    /** AgentPodFailures: agent container restarts in an hour. */
                    agentRestartsPerHour: numeric(z.number().int().positive()).default(5),
                    agentRestartsFor: duration.default("5m"),
                    /** AgentHighResponseLatency: agent p95 response time, seconds, per agent type. */
                    // The seed's agent buckets end at 10s: a p95 above that reads as 10s, so a higher threshold never fires.
                    agentLatencyP95Seconds: numeric(
                        z
                            .number()
                            .positive()
                            .lt(10, "expected less than 10: the seed's agent histogram tops out at 10s"),
                    ).default(5),
                    agentLatencyFor: duration.default("10m"),
                    /**
                     * StellaBackendOutage: the share of 5xx over the last scrape interval (irate) that pages
                     * at once, so that a total outage reaches PagerDuty within a minute.
                     */
                    outageErrorRatio: ratio.default(0.5),
                    outageFor: duration.default("0s"),
                    /** Requests per second below which StellaBackendOutage stays silent (a few failing requests on an idle backend). */
                    outageMinRequestsPerSecond: numeric(z.number().nonnegative()).default(1),
                })
                .prefault({}),
        })
        .prefault({}),

    loki: z
        .strictObject({
            /**
             * monolithic: one binary, `replicas` copies (SimpleScalable is deprecated); distributed: every
             * component on its own, sized by `distributed`, for large log volumes (needs object storage).
             */
            mode: z.enum(["monolithic", "distributed"]).default("monolithic"),
            /** Monolithic replicas; more than one needs object storage. */
            replicas: numeric(z.number().int().min(1).max(10)).default(1),
            /** Replicas per component in distributed mode; `resources` and `storage` apply to each pod. */
            distributed: z
                .strictObject({
                    ingesters: numeric(z.number().int().min(1)).default(3),
                    distributors: numeric(z.number().int().min(1)).default(2),
                    queriers: numeric(z.number().int().min(1)).default(2),
                    queryFrontends: numeric(z.number().int().min(1)).default(2),
                    querySchedulers: numeric(z.number().int().min(1)).default(2),
                    indexGateways: numeric(z.number().int().min(1)).default(2),
                    gateways: numeric(z.number().int().min(1)).default(2),
                })
                .prefault({}),
            /** How long logs are kept. */
            retention: duration.default("168h"),
            /** The tenant's ingestion limits (limits_config); the defaults are Loki's own. */
            limits: z
                .strictObject({
                    /** The tenant's sustained push rate, MB/s, over all distributors. */
                    ingestionRateMb: numeric(z.number().positive()).default(4),
                    /** The burst above it, MB. */
                    ingestionBurstSizeMb: numeric(z.number().positive()).default(6),
                    /** Each stream's rate (Loki byte size). */
                    perStreamRateLimit: lokiByteSize.default("3MB"),
                    perStreamRateLimitBurst: lokiByteSize.default("15MB"),
                    /** Longer lines are truncated to this size (not dropped). */
                    maxLineSize: lokiByteSize.default("256KB"),
                })
                .prefault({}),
            storage: persistentVolume(true, "10Gi"),
            resources: resources({ cpu: "100m", memory: "256Mi" }, "512Mi"),
            /** Loki's memcached caches; off by default: the chart's defaults ask for 10.8 GiB. */
            caches: z
                .strictObject({
                    enabled: z.boolean().default(false),
                    /** Memory of the chunks cache, in MB. */
                    chunksCacheMemoryMb: numeric(z.number().int().min(64)).default(1024),
                    /** Memory of the results cache, in MB. */
                    resultsCacheMemoryMb: numeric(z.number().int().min(64)).default(256),
                })
                .prefault({}),
            /** S3-compatible object storage; unset stores logs on the pod's filesystem volume. */
            objectStorage: z
                .strictObject({
                    endpoint: httpUrl("the object store's http(s) endpoint URL").optional(),
                    region: z.string().min(1).default("us-east-1"),
                    bucketNames: z.strictObject({
                        chunks: z.string().min(3),
                        ruler: z.string().min(3),
                        admin: z.string().min(3),
                    }),
                    /** The access key id (not secret; its secret key is `secretAccessKey`). */
                    accessKeyId: z.string().min(1),
                    /** The secret access key (secret). */
                    secretAccessKey: secretString(
                        (value) => value.length > 0 && survivesYamlExpansion(value),
                        'a non-empty secret access key that Loki can read back: the chart writes ${LOKI_S3_SECRET_ACCESS_KEY} unquoted into Loki\'s YAML config and Loki expands it there, so the key must not contain " #", ": ", a tab or a line break, start with a space, one of , [ ] { } # & * ! | > \' " % @ ` or "- ", "? ", ": ", end with a space or ":", or be ~ or null; create a key without them',
                    ).optional(),
                    /** Path-style URLs, for MinIO, Ceph, Garage and other self-hosted stores. */
                    forcePathStyle: z.boolean().default(false),
                    /** Plain HTTP to the store. */
                    insecure: z.boolean().default(false),
                })
                .optional(),
        })
        .prefault({}),

    alloy: z
        .strictObject({
            resources: resources({ cpu: "50m", memory: "128Mi" }, "256Mi"),
            /** The taints Alloy tolerates; the default tolerates every taint, so every node ships its logs. */
            tolerations: z.array(toleration).default([{ operator: "Exists" }]),
            /** A PriorityClass for Alloy's pods (system-node-critical keeps them on full nodes); unset: none. */
            priorityClassName: dnsName.optional(),
            /** How many nodes' pods an upgrade replaces at once: a count or a percentage of the nodes. */
            maxUnavailable: z
                .union([
                    numeric(z.number().int().min(1)),
                    formatted(/^([1-9]\d?|100)%$/, "a count or a percentage from 1% to 100%, such as 25%"),
                ])
                .default("25%"),
            /** Where Alloy keeps its positions (how far it has read each container's log). */
            positions: z
                .strictObject({
                    /** On the node (hostPath): a restart resumes. false: an emptyDir, lost with the pod. */
                    onNode: z.boolean().default(true),
                    /** The node directory; one per Alloy release. */
                    hostPath: formatted(
                        /^\/[\w./-]+$/,
                        "an absolute path such as /var/lib/stella-monitoring/alloy",
                    ).default("/var/lib/stella-monitoring/alloy"),
                })
                .prefault({}),
        })
        .prefault({}),

    jaeger: z
        .strictObject({
            replicas: numeric(z.number().int().min(1).max(10)).default(1),
            resources: resources({ cpu: "50m", memory: "128Mi" }, "512Mi"),
            storage: z
                .strictObject({
                    /** Where spans go: memory (lost on restart: dev only) or an existing cluster. */
                    type: z.enum(["memory", "elasticsearch", "opensearch"]).default("memory"),
                    /**
                     * The most traces kept in memory; unset: as many as fill half of Jaeger's memory limit
                     * at 32 KiB a trace (8192 for 512Mi).
                     */
                    maxTraces: numeric(z.number().int().min(1000)).optional(),
                    /** The Elasticsearch or OpenSearch URLs. */
                    serverUrls: z.array(httpUrl()).min(1).optional(),
                    indexPrefix: z
                        .string()
                        .regex(/^[a-z0-9][a-z0-9_-]*$/, "expected a lower-case index prefix")
                        .default("stella"),
                    username: z.string().min(1).optional(),
                    /** The password (secret). */
                    password: secretString((value) => value.length > 0, "a non-empty password").optional(),
                    /** Days of spans kept: a nightly job deletes older daily indices. */
                    retentionDays: numeric(z.number().int().min(1)).default(7),
                    /** A Secret in the monitoring namespace whose key ca.crt signs the store's certificate (a private CA). */
                    caSecretName: dnsLabel.optional(),
                })
                .prefault({}),
        })
        .prefault({}),

    grafana: z
        .strictObject({
            /** Grafana's public URL: its root_url, and where this program's Grafana provider reaches it. */
            url: httpUrl().default("http://localhost:3000"),
            /** Where `pulumi up` reaches Grafana's API when that is not `url` (a port-forward, an internal name). */
            apiUrl: httpUrl().optional(),
            adminUser: z.string().min(1).default("admin"),
            replicas: numeric(z.number().int().min(1).max(10)).default(1),
            /** An external database for Grafana's state; required for more than one replica (sqlite is per pod). */
            database: z
                .strictObject({
                    type: z.enum(["postgres", "mysql"]),
                    /** host:port */
                    host: z.string().regex(/^[\w.-]+:\d+$/, "expected host:port, such as postgres.internal:5432"),
                    name: z.string().min(1),
                    user: z.string().min(1),
                    /** The password (secret). */
                    password: secretString((value) => value.length > 0, "a non-empty password").optional(),
                    sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
                })
                .optional(),
            persistence: persistentVolume(false, "5Gi"),
            resources: resources({ cpu: "50m", memory: "192Mi" }, "384Mi"),
            service: z
                .strictObject({
                    type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP"),
                    /** The node port, with type NodePort (30000-32767). */
                    nodePort: numeric(z.number().int().min(30000).max(32767)).optional(),
                })
                .prefault({}),
            ingress: z
                .strictObject({
                    enabled: z.boolean().default(false),
                    className: z.string().min(1).optional(),
                    /** The host name; defaults to the host of `grafana.url`. */
                    host: formatted(dnsNamePattern, "a DNS host name such as grafana.example.com").optional(),
                    /** The Secret holding the TLS certificate; unset serves plain HTTP. */
                    tlsSecretName: dnsLabel.optional(),
                    /** A cert-manager ClusterIssuer that issues tlsSecretName (adds its annotation). */
                    certManagerClusterIssuer: dnsLabel.optional(),
                    annotations: z.record(z.string(), z.string()).default({}),
                })
                .prefault({}),
            /**
             * Single sign-on: people sign in through an identity provider, their groups mapped to Grafana
             * roles; unset: only the generated admin account. The admin account stays either way: the
             * Grafana provider of `pulumi up` signs in with it (basic auth), even with the login form off.
             */
            sso: z
                .strictObject({
                    /** oidc: any OpenID Connect provider (Grafana's generic OAuth); github; google. */
                    provider: z.enum(["oidc", "github", "google"]),
                    /** The OAuth client (application) id, not secret. */
                    clientId: z.string().min(1),
                    /** The OAuth client secret (secret), mounted as a file that grafana.ini reads. */
                    clientSecret: secretString(
                        (value) => value.length > 0 && !/[\r\n]/.test(value),
                        "a non-empty client secret on one line",
                    ).optional(),
                    /** oidc and google: only members of one of these groups sign in (google: group emails). */
                    allowedGroups: ssoGroups,
                    /** github (required there): only members of one of these organizations sign in. */
                    allowedOrganizations: z
                        .array(formatted(/^[A-Za-z0-9][A-Za-z0-9-]*$/, "a GitHub organization login such as stella-ai"))
                        .default([]),
                    /** Only people whose email is in one of these domains sign in (google: the Workspace domain). */
                    allowedDomains: z
                        .array(formatted(dnsNamePattern, "an email domain such as stella.example.com"))
                        .default([]),
                    /** The identity provider's groups that get each Grafana role; the highest role wins. */
                    roles: z
                        .strictObject({
                            /** Grafana server administrators (and Admin of the organization). */
                            grafanaAdmin: ssoGroups,
                            admin: ssoGroups,
                            editor: ssoGroups,
                            viewer: ssoGroups,
                        })
                        .prefault({}),
                    /** The role of everyone who signs in and is in none of the groups of `roles`. */
                    defaultRole: z.enum(["Admin", "Editor", "Viewer", "None"]).default("Viewer"),
                    /** Hide the user/password form (prod): people sign in through the provider only. */
                    disableLoginForm: z.boolean().default(false),
                    /** Skip Grafana's login page and go straight to the provider. */
                    autoLogin: z.boolean().default(false),
                    /** With provider oidc: the issuer and its endpoints (from its /.well-known/openid-configuration). */
                    oidc: z
                        .strictObject({
                            /** The button's label on the login page. */
                            name: z.string().min(1).default("SSO"),
                            issuer: httpsUrl(
                                "an https:// issuer URL such as https://sso.stella.example.com/realms/stella",
                            ),
                            authorizeEndpoint: oidcEndpoint,
                            tokenEndpoint: oidcEndpoint,
                            userinfoEndpoint: oidcEndpoint,
                            scopes: z
                                .array(formatted(/^[\x21-\x7e]+$/, "an OAuth scope such as openid"))
                                .default(["openid", "profile", "email", "groups"]),
                            /** The claim (a JMESPath field path) that lists the user's groups, in the ID token. */
                            groupsClaim: formatted(
                                /^([A-Za-z_][A-Za-z0-9_]*|"[^"\\]+")(\.([A-Za-z_][A-Za-z0-9_]*|"[^"\\]+"))*$/,
                                'a claim path such as groups, realm_access.roles or "https://stella.example.com/groups"',
                            ).default("groups"),
                        })
                        .optional(),
                })
                .optional(),
        })
        .prefault({}),

    /** NetworkPolicies for the monitoring namespace: deny by default, admit what the stack needs. */
    networkPolicies: z
        .strictObject({
            enabled: z.boolean().default(false),
            /** The ingress controller's namespace, the only way to Grafana; unset: Grafana's port is open to all. */
            ingressControllerNamespace: dnsLabel.optional(),
            /** Namespaces besides stella.namespace whose apps send OTLP to Jaeger. */
            otlpNamespaces: z.array(dnsLabel).default([]),
        })
        .prefault({}),

    /** Chart values per chart, deep-merged last: they win over everything this program sets. */
    extraValues: z.strictObject(Object.fromEntries(chartKeys.map((key) => [key, extraValues]))).prefault({}),
});

/** The schema, for the tools that document it (tools/config-reference.ts). */
export const configSchema = schema;

type ParsedConfig = z.infer<typeof schema>;

// ---------------------------------------------------------------------------------------------
// The typed config the program uses: secrets are Outputs, never plain strings.

type Secret = pulumi.Output<string>;

type ParsedRemoteWrite = ParsedConfig["prometheus"]["remoteWrite"][number];

/** A remote-write target with its credentials as secrets. */
export type RemoteWriteTarget = Omit<ParsedRemoteWrite, "basicAuth" | "bearerToken"> & {
    readonly basicAuth?: { readonly username: string; readonly password: Secret };
    readonly bearerToken?: Secret;
};

export interface StackConfig extends Omit<
    ParsedConfig,
    "alerting" | "loki" | "jaeger" | "grafana" | "environment" | "prometheus"
> {
    readonly stack: string;
    readonly environment: Environment;
    readonly prometheus: Omit<ParsedConfig["prometheus"], "remoteWrite" | "cluster" | "ruleNamespaces"> & {
        readonly remoteWrite: readonly RemoteWriteTarget[];
        /** The external label `cluster`: prometheus.cluster, else kubernetes.context, else the stack's name. */
        readonly cluster: string;
        /** The namespaces whose PrometheusRules Prometheus loads. */
        readonly ruleNamespaces: readonly string[];
    };
    readonly alerting: Omit<ParsedConfig["alerting"], "slackWebhookUrl" | "pagerdutyRoutingKey" | "heartbeatUrl"> & {
        readonly slackWebhookUrl?: Secret;
        readonly pagerdutyRoutingKey?: Secret;
        readonly heartbeatUrl?: Secret;
    };
    readonly loki: Omit<ParsedConfig["loki"], "objectStorage"> & {
        readonly objectStorage?: Omit<NonNullable<ParsedConfig["loki"]["objectStorage"]>, "secretAccessKey"> & {
            readonly secretAccessKey: Secret;
        };
    };
    readonly jaeger: Omit<ParsedConfig["jaeger"], "storage"> & {
        readonly storage: Omit<ParsedConfig["jaeger"]["storage"], "password"> & { readonly password?: Secret };
    };
    readonly grafana: Omit<ParsedConfig["grafana"], "database" | "sso"> & {
        readonly database?: Omit<NonNullable<ParsedConfig["grafana"]["database"]>, "password"> & {
            readonly password: Secret;
        };
        readonly sso?: SsoConfig;
    };
}

/** The secrets of each remote-write target, below prometheus.remoteWrite[<n>]. */
const remoteWriteSecretFields = ["basicAuth.password", "bearerToken"] as const;

/** Whether a dotted config path (array indices as numbers) holds a secret, or is inside one. */
function isSecretPath(path: string): boolean {
    const within = (secretPath: string) => path === secretPath || path.startsWith(`${secretPath}.`);
    if (secretPaths.some(within)) return true;
    const index = /^prometheus\.remoteWrite\.(\d+)\./.exec(path)?.[1];
    return (
        index !== undefined &&
        remoteWriteSecretFields.some((field) => within(`prometheus.remoteWrite.${index}.${field}`))
    );
}

/** Single sign-on to Grafana, its client secret an Output. */
export type SsoConfig = Omit<NonNullable<ParsedConfig["grafana"]["sso"]>, "clientSecret"> & {
    readonly clientSecret: Secret;
};

/** The config paths that hold secrets; each must be set with `pulumi config set --secret --path`. */
export const secretPaths = [
    "alerting.slackWebhookUrl",
    "alerting.pagerdutyRoutingKey",
    "alerting.heartbeatUrl",
    "loki.objectStorage.secretAccessKey",
    "jaeger.storage.password",
    "grafana.database.password",
    "grafana.sso.clientSecret",
] as const;

const quantityFactors: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};
/** Prometheus reads retentionSize in powers of two: 1KB is 1024 bytes, 1GB is 1 GiB. */
const byteSizeFactors: Record<string, number> = {
    B: 1,
    KB: 2 ** 10,
    MB: 2 ** 20,
    GB: 2 ** 30,
    TB: 2 ** 40,
    PB: 2 ** 50,
    EB: 2 ** 60,
};

/** The bytes of a Kubernetes quantity (already validated). */
export function quantityBytes(quantity: string): number {
    const [, number = "0", unit = ""] = /^(\d+(?:\.\d+)?)(\D*)$/.exec(quantity) ?? [];
    return Number(number) * (quantityFactors[unit] ?? Number.NaN);
}

/** The bytes of a Prometheus byte size (already validated), as Prometheus counts them. */
export function byteSizeBytes(size: string): number {
    const [, number = "0", unit = ""] = /^(\d+(?:\.\d+)?)(\D+)$/.exec(size) ?? [];
    return Number(number) * (byteSizeFactors[unit] ?? Number.NaN);
}

/** The share of the volume the TSDB may fill: compaction writes a new block before it deletes the old ones. */
export const maxRetentionShare = 0.85;

/** What the environment requires: the production-grade stacks refuse to run half-configured. */
function environmentProblems(config: ParsedConfig, environment: Environment): string[] {
    const problems: string[] = [];
    const production = environment !== "dev";
    const setSecret = (path: string) =>
        `set it with: pulumi config set --secret --path ${path} <value> (offline render: --secret ${path}=<value>)`;
    if (production) {
        if (config.alerting.slackWebhookUrl === undefined) {
            problems.push(
                `alerting.slackWebhookUrl: required in ${environment}; ${setSecret("alerting.slackWebhookUrl")}`,
            );
        }
        if (config.alerting.pagerdutyRoutingKey === undefined) {
            problems.push(
                `alerting.pagerdutyRoutingKey: required in ${environment}; ${setSecret("alerting.pagerdutyRoutingKey")}`,
            );
        }
        // Without a dead man's switch a crash-looping Prometheus, a dead Alertmanager or blocked egress
        // pages nobody. Staging only warns (stack.ts).
        if (environment === "prod" && config.alerting.heartbeatUrl === undefined) {
            problems.push(
                `alerting.heartbeatUrl: required in prod: a dead man's switch URL (healthchecks.io, Cronitor, PagerDuty heartbeat) that pages when the Watchdog's pings stop; ${setSecret("alerting.heartbeatUrl")}`,
            );
        }
        if (config.loki.objectStorage === undefined) {
            problems.push(
                `loki.objectStorage: required in ${environment}: logs must live in S3-compatible object storage`,
            );
        }
        if (config.jaeger.storage.type === "memory") {
            problems.push(
                `jaeger.storage.type: "memory" loses every trace on restart; ${environment} needs "elasticsearch" or "opensearch"`,
            );
        }
    }
    if (production && config.alerting.runbookBaseUrl === placeholderRunbookBaseUrl) {
        problems.push(
            `alerting.runbookBaseUrl: ${environment} must not keep the placeholder ${placeholderRunbookBaseUrl}: every alert links there; set it to where docs/runbooks is browsed`,
        );
    }
    const { retentionSize, storage: prometheusVolume } = config.prometheus;
    if (retentionSize !== undefined && prometheusVolume.enabled) {
        const share = byteSizeBytes(retentionSize) / quantityBytes(prometheusVolume.size);
        if (share > maxRetentionShare) {
            const most = Math.floor((quantityBytes(prometheusVolume.size) * maxRetentionShare) / 2 ** 30);
            problems.push(
                `prometheus.retentionSize: ${retentionSize} is ${Math.round(share * 100)}% of prometheus.storage.size ${prometheusVolume.size}; ` +
                    `at most ${maxRetentionShare * 100}% (here ${most}GB), so that compaction and the WAL have room (Prometheus counts 1GB as 1Gi)`,
            );
        }
    }
    const pairProblem = operatorPairProblem(
        config.versions.kubePrometheusStack,
        config.versions.prometheusOperatorCrds,
    );
    if (pairProblem !== undefined) problems.push(pairProblem);
    config.prometheus.remoteWrite.forEach((target, index) => {
        const at = `prometheus.remoteWrite[${index}]`;
        // The name keys the target's credentials in the Secret, and the operator wants it unique.
        if (config.prometheus.remoteWrite.findIndex((other) => other.name === target.name) !== index)
            problems.push(`${at}.name: "${target.name}" names another target already; each needs its own name`);
        if (target.basicAuth !== undefined && target.bearerToken !== undefined)
            problems.push(`${at}.bearerToken: set basicAuth or bearerToken, not both (Prometheus takes one)`);
        if (target.basicAuth !== undefined && target.basicAuth.password === undefined)
            problems.push(
                `${at}.basicAuth.password: required with basicAuth; ${setSecret(`${at}.basicAuth.password`)}`,
            );
    });
    if (config.loki.objectStorage !== undefined && config.loki.objectStorage.secretAccessKey === undefined) {
        problems.push(
            `loki.objectStorage.secretAccessKey: required with loki.objectStorage; ${setSecret("loki.objectStorage.secretAccessKey")}`,
        );
    }
    if (config.loki.mode === "distributed" && config.loki.objectStorage === undefined) {
        problems.push('loki.mode: "distributed" needs loki.objectStorage (its components share the store)');
    }
    const limits = config.loki.limits;
    if (limits.ingestionBurstSizeMb < limits.ingestionRateMb) {
        problems.push(
            `loki.limits.ingestionBurstSizeMb: ${limits.ingestionBurstSizeMb} is below loki.limits.ingestionRateMb (${limits.ingestionRateMb}); the burst must be at least the rate`,
        );
    }
    if (config.loki.replicas > 1 && config.loki.objectStorage === undefined) {
        problems.push(
            "loki.replicas: more than one Loki replica needs loki.objectStorage (the chart refuses it otherwise)",
        );
    }
    const storage = config.jaeger.storage;
    if (storage.type !== "memory" && storage.serverUrls === undefined) {
        problems.push(`jaeger.storage.serverUrls: required when jaeger.storage.type is "${storage.type}"`);
    }
    if (storage.type === "memory" && config.jaeger.replicas > 1) {
        problems.push(
            'jaeger.replicas: in-memory storage is per pod; more than one replica needs jaeger.storage.type "elasticsearch" or "opensearch"',
        );
    }
    if (storage.username !== undefined && storage.password === undefined) {
        problems.push(
            `jaeger.storage.password: required with jaeger.storage.username; ${setSecret("jaeger.storage.password")}`,
        );
    }
    if (storage.password !== undefined && storage.username === undefined) {
        problems.push("jaeger.storage.username: required when jaeger.storage.password is set");
    }
    if (config.grafana.replicas > 1 && config.grafana.database === undefined) {
        problems.push("grafana.replicas: more than one replica needs grafana.database (sqlite is per pod)");
    }
    if (config.grafana.replicas > 1 && config.grafana.persistence.enabled) {
        problems.push(
            "grafana.persistence.enabled: replicas share grafana.database, not a ReadWriteOnce volume; turn persistence off",
        );
    }
    if (config.grafana.database !== undefined && config.grafana.database.password === undefined) {
        problems.push(
            `grafana.database.password: required with grafana.database; ${setSecret("grafana.database.password")}`,
        );
    }
    if (
        config.grafana.ingress.certManagerClusterIssuer !== undefined &&
        config.grafana.ingress.tlsSecretName === undefined
    ) {
        problems.push(
            "grafana.ingress.certManagerClusterIssuer: needs grafana.ingress.tlsSecretName, the Secret it issues into",
        );
    }
    if (config.grafana.service.nodePort !== undefined && config.grafana.service.type !== "NodePort") {
        problems.push('grafana.service.nodePort: only valid with grafana.service.type "NodePort"');
    }
    problems.push(...ssoProblems(config.grafana.sso, setSecret));
    if (config.grafana.ingress.tlsSecretName !== undefined && !config.grafana.ingress.enabled) {
        problems.push("grafana.ingress.tlsSecretName: only valid with grafana.ingress.enabled true");
    }
    return problems;
}

/** What single sign-on needs beyond each key's format: per-provider keys, and who may sign in. */
function ssoProblems(sso: ParsedConfig["grafana"]["sso"], setSecret: (path: string) => string): string[] {
    if (sso === undefined) return [];
    const problems: string[] = [];
    const provider = `grafana.sso.provider "${sso.provider}"`;
    if (sso.clientSecret === undefined) {
        problems.push(`grafana.sso.clientSecret: required with grafana.sso; ${setSecret("grafana.sso.clientSecret")}`);
    }
    if (sso.provider === "oidc" && sso.oidc === undefined) {
        problems.push(
            `grafana.sso.oidc: required with ${provider}: issuer, authorizeEndpoint, tokenEndpoint, userinfoEndpoint (from the issuer's /.well-known/openid-configuration)`,
        );
    }
    if (sso.provider !== "oidc" && sso.oidc !== undefined) {
        problems.push(`grafana.sso.oidc: only valid with grafana.sso.provider "oidc", not ${shown(sso.provider)}`);
    }
    if (sso.provider === "github" && sso.allowedOrganizations.length === 0) {
        problems.push(
            `grafana.sso.allowedOrganizations: required with ${provider}: without it every GitHub account signs in`,
        );
    }
    if (sso.provider !== "github" && sso.allowedOrganizations.length > 0) {
        problems.push(`grafana.sso.allowedOrganizations: only valid with grafana.sso.provider "github"`);
    }
    if (sso.provider === "github" && sso.allowedGroups.length > 0) {
        problems.push(
            `grafana.sso.allowedGroups: GitHub has no groups to allow; use grafana.sso.allowedOrganizations (teams such as @org/team go in grafana.sso.roles)`,
        );
    }
    if (sso.provider === "google" && sso.allowedDomains.length === 0 && sso.allowedGroups.length === 0) {
        problems.push(
            `grafana.sso.allowedDomains: required with ${provider} (or grafana.sso.allowedGroups): without either every Google account signs in`,
        );
    }
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

// ---------------------------------------------------------------------------------------------
// Parsing

/** A raw config entry: the parsed JSON value of `stella-monitoring:<key>`, and whether Pulumi holds it as a secret. */
export interface RawEntry {
    readonly value: unknown;
    readonly secret: boolean;
}

function valueAt(object: unknown, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>(
            (node, key) =>
                node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined,
            object,
        );
}

/**
 * A config path as it is typed after `pulumi config set --path`: an array index in brackets,
 * `prometheus.remoteWrite[0].name`.
 */
export function configPath(segments: readonly PropertyKey[]): string {
    return segments
        .map((segment, index) =>
            typeof segment === "number" || /^\d+$/.test(String(segment))
                ? `[${String(segment)}]`
                : `${index === 0 ? "" : "."}${String(segment)}`,
        )
        .join("");
}

/** What a schema type is called in a message. */
const typeNames: Record<string, string> = {
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "an object of keys",
    array: "a list",
    record: "an object of keys",
};

/**
 * One problem, in the project's words: the key's path, what is allowed and the value that was given
 * (never a secret's), never zod's own text. Custom messages of the schema start with "expected".
 */
function describeIssue(issue: z.core.$ZodIssue, topKey: string): string[] {
    const path = configPath([topKey, ...issue.path]);
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeysAt(issue.path.map(String), topKey);
        return issue.keys.map((key) => {
            const suggestion = allowed.length > 0 ? closest(key, allowed) : undefined;
            const hint = suggestion !== undefined && similar(key, suggestion) ? ` (did you mean "${suggestion}"?)` : "";
            return `${path}.${key}: unknown key${hint}; allowed: ${allowed.join(", ")}`;
        });
    }
    const dotted = [topKey, ...issue.path.map(String)].join(".");
    const isSecret = isSecretPath(dotted);
    const input = (issue as { input?: unknown }).input;
    const got =
        input === undefined
            ? "nothing"
            : isSecret
              ? `a ${typeof input} (value not shown: it is a secret)`
              : shown(input);
    // A refinement's own words always stand (they say what is allowed); a built-in check's only when
    // they are the schema's ("expected …"), never zod's.
    const own = issue.code === "custom" || issue.message.startsWith("expected ") ? issue.message : undefined;
    // A custom message that already echoes the value stands as it is.
    if (own !== undefined && (own.includes(", got ") || isSecret)) return [`${path}: ${own}`];
    switch (issue.code) {
        case "invalid_type":
            return [`${path}: expected ${typeNames[issue.expected] ?? issue.expected}, got ${got}`];
        case "invalid_value": {
            const allowed = issue.values.map((v) => shown(v));
            const suggestion =
                typeof input === "string" && !isSecret
                    ? closest(
                          input,
                          issue.values.map((v) => String(v)),
                      )
                    : undefined;
            const hint =
                suggestion !== undefined && typeof input === "string" && similar(input, suggestion)
                    ? ` (did you mean ${shown(suggestion)}?)`
                    : "";
            return [
                `${path}: expected ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`}, got ${got}${hint}`,
            ];
        }
        case "too_small":
        case "too_big": {
            if (own !== undefined) return [`${path}: ${own}, got ${got}`];
            const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
            const exclusive = issue.inclusive === false;
            const limit =
                issue.code === "too_small"
                    ? exclusive
                        ? `more than ${String(bound)}`
                        : `at least ${String(bound)}`
                    : exclusive
                      ? `less than ${String(bound)}`
                      : `at most ${String(bound)}`;
            if (issue.origin === "string")
                return [
                    issue.code === "too_small" && Number(bound) === 1
                        ? `${path}: expected a non-empty text, got ${got}; leave the key out to use its default`
                        : `${path}: expected text of ${limit} characters, got ${got}`,
                ];
            if (issue.origin === "array" || issue.origin === "set")
                return [`${path}: expected a list of ${limit} entries, got ${got}`];
            return [`${path}: expected ${limit}, got ${got}`];
        }
        case "invalid_key":
            // A record's key refused by its own check (e.g. a remote-write header that must be a credential).
            return [`${path}: ${issue.issues.map((inner) => inner.message).join("; ")}`];
        case "not_multiple_of":
            return [`${path}: expected a multiple of ${String(issue.divisor)}, got ${got}`];
        case "invalid_union":
            return [
                `${path}: ${own ?? 'expected one of the forms this key takes (README "Config reference")'}, got ${got}`,
            ];
        default:
            return [`${path}: ${own ?? 'expected another value (README "Config reference")'}, got ${got}`];
    }
}

/** Whether `closest` found a real neighbour rather than merely the least distant key. */
function similar(a: string, b: string): boolean {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la.includes(lb) || lb.includes(la) || distance(la, lb) <= Math.max(2, Math.floor(b.length / 3));
}

/** The keys the schema allows at `path` below the top-level key `topKey`. */
function allowedKeysAt(path: string[], topKey: string): string[] {
    let node: z.ZodType = schema.shape[topKey as keyof typeof schema.shape] as z.ZodType;
    for (const key of [...path, ""]) {
        node = unwrap(node);
        if (key === "") break;
        if (node instanceof z.ZodObject) {
            node = node.shape[key] as z.ZodType;
        } else if (node instanceof z.ZodRecord || node instanceof z.ZodArray) {
            node = (node instanceof z.ZodArray ? node.element : node.valueType) as z.ZodType;
        } else {
            return [];
        }
        if (node === undefined) return [];
    }
    return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: z.ZodType): z.ZodType {
    let current: z.ZodType = node;
    for (;;) {
        if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPrefault) {
            current = current.unwrap() as z.ZodType;
        } else if (current instanceof z.ZodPipe) {
            current = current.in as z.ZodType;
        } else {
            return current;
        }
    }
}

/**
 * Turns the raw entries of the project's config namespace into a StackConfig, or throws a
 * ConfigError that lists every problem, each naming its key. Pure: registers nothing.
 */
export function parseStackConfig(stack: string, entries: Record<string, RawEntry>): StackConfig {
    const problems: string[] = [];
    const topKeys = Object.keys(schema.shape);
    for (const key of Object.keys(entries)) {
        if (!topKeys.includes(key)) {
            const suggestion = closest(key, topKeys);
            const hint = similar(key, suggestion) ? ` (did you mean "${suggestion}"?)` : "";
            problems.push(`${key}: unknown key${hint}; allowed: ${topKeys.join(", ")}`);
        }
    }

    const input = Object.fromEntries(
        Object.entries(entries)
            .filter(([key]) => topKeys.includes(key))
            .map(([key, entry]) => [key, entry.value]),
    );
    const result = schema.safeParse(input, { reportInput: true });
    if (!result.success) {
        for (const issue of result.error.issues) {
            const [first, ...rest] = issue.path;
            problems.push(...describeIssue({ ...issue, path: rest }, String(first ?? "")));
        }
        throw new ConfigError(problems);
    }
    const config = result.data;

    // A secret set in plain text sits unencrypted in the stack file and in every log of it.
    for (const path of secretPaths) {
        const topKey = path.split(".")[0] as string;
        if (valueAt(config, path) !== undefined && entries[topKey]?.secret !== true) {
            problems.push(`${path}: must be set as a secret: pulumi config set --secret --path ${path} <value>`);
        }
    }
    config.prometheus.remoteWrite.forEach((target, index) => {
        for (const field of remoteWriteSecretFields) {
            const path = `prometheus.remoteWrite[${index}].${field}`;
            if (valueAt(target, field) !== undefined && entries.prometheus?.secret !== true)
                problems.push(`${path}: must be set as a secret: pulumi config set --secret --path '${path}' <value>`);
        }
    });

    const environment = config.environment ?? (environments as readonly string[]).find((name) => name === stack);
    if (environment === undefined) {
        problems.push(
            `environment: stack "${stack}" is not one of ${environments.join(", ")}; name the stack after one, or set the key environment to one of them`,
        );
        throw new ConfigError(problems);
    }
    problems.push(...environmentProblems(config, environment as Environment));
    if (problems.length > 0) throw new ConfigError(problems);

    const secret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));
    const { objectStorage } = config.loki;
    const { cluster, ruleNamespaces, remoteWrite, ...prometheus } = config.prometheus;
    return {
        ...config,
        stack,
        environment: environment as Environment,
        prometheus: {
            ...prometheus,
            cluster: cluster ?? config.kubernetes.context ?? stack,
            ruleNamespaces: ruleNamespaces ?? [...new Set([config.kubernetes.namespace, config.stella.namespace])],
            remoteWrite: remoteWrite.map(({ basicAuth, bearerToken, ...target }) => ({
                ...target,
                // environmentProblems has refused a basicAuth without its password.
                ...(basicAuth === undefined
                    ? {}
                    : {
                          basicAuth: {
                              username: basicAuth.username,
                              password: pulumi.secret(basicAuth.password as string),
                          },
                      }),
                ...(bearerToken === undefined ? {} : { bearerToken: pulumi.secret(bearerToken) }),
            })),
        },
        alerting: {
            ...config.alerting,
            slackWebhookUrl: secret(config.alerting.slackWebhookUrl),
            pagerdutyRoutingKey: secret(config.alerting.pagerdutyRoutingKey),
            heartbeatUrl: secret(config.alerting.heartbeatUrl),
        },
        loki: {
            ...config.loki,
            objectStorage:
                objectStorage === undefined
                    ? undefined
                    : // environmentProblems has refused object storage without its secret key.
                      { ...objectStorage, secretAccessKey: pulumi.secret(objectStorage.secretAccessKey as string) },
        },
        jaeger: {
            ...config.jaeger,
            storage: { ...config.jaeger.storage, password: secret(config.jaeger.storage.password) },
        },
        grafana: {
            ...config.grafana,
            database:
                config.grafana.database === undefined
                    ? undefined
                    : // environmentProblems has refused a database without its password.
                      {
                          ...config.grafana.database,
                          password: pulumi.secret(config.grafana.database.password as string),
                      },
            sso:
                config.grafana.sso === undefined
                    ? undefined
                    : // ssoProblems has refused single sign-on without its client secret.
                      { ...config.grafana.sso, clientSecret: pulumi.secret(config.grafana.sso.clientSecret as string) },
        },
    };
}

/** The defaults: what a stack gets for a key it does not set. Pulumi.yaml documents these. */
export function defaultConfigValues(): ParsedConfig {
    return schema.parse({});
}

/**
 * Reads the project's config namespace from the Pulumi runtime and parses it. The only place
 * that reads Pulumi config; components receive the typed result.
 */
export function loadConfig(): StackConfig {
    const prefix = `${projectName}:`;
    const entries: Record<string, RawEntry> = {};
    const all = pulumi.runtime.allConfig();
    const ignored = ignoredProviderKeys(Object.keys(all));
    if (ignored.length > 0) throw new ConfigError(ignored);
    for (const [fullKey, text] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        entries[key] = { value: parseConfigText(text), secret: isConfigSecret(fullKey) };
    }
    const config = parseStackConfig(pulumi.getStack(), entries);
    return withGrafanaApiUrlOverride(config, process.env[grafanaApiUrlEnv]);
}

/**
 * The Kubernetes provider's own stack keys (`kubernetes:context`, Pulumi's usual way to pick a cluster)
 * configure only Pulumi's default provider. This program deploys through an explicit provider built
 * from `stella-monitoring:kubernetes`, so such a key would be accepted and silently ignored, and the
 * stack would deploy to whatever context is current: refuse each, naming the key to use instead.
 */
export function ignoredProviderKeys(fullKeys: readonly string[]): string[] {
    const instead: Record<string, string> = {
        context: `pulumi config rm kubernetes:context && pulumi config set --path kubernetes.context <context>`,
        namespace: `pulumi config rm kubernetes:namespace && pulumi config set --path kubernetes.namespace <namespace>`,
    };
    return fullKeys
        .filter((key) => key.startsWith("kubernetes:"))
        .map((key) => {
            const name = key.slice("kubernetes:".length);
            const fix = instead[name];
            return fix === undefined
                ? `${key}: not used: this program's Kubernetes provider takes only ${projectName}:kubernetes ` +
                      `(context, namespace); pick the kubeconfig with KUBECONFIG. Remove it: pulumi config rm ${key}`
                : `${key}: not used: this program's Kubernetes provider reads ${projectName}:kubernetes.${name}; ${fix}`;
        });
}

/**
 * Where this run of `pulumi up` reaches Grafana's API, when not at grafana.url (a port-forward for one
 * run): an environment variable, so that it never lands in a committed stack file.
 */
export const grafanaApiUrlEnv = "STELLA_GRAFANA_API_URL";

export function withGrafanaApiUrlOverride(config: StackConfig, override: string | undefined): StackConfig {
    if (override === undefined || override === "") return config;
    if (!isHttpUrl(override))
        throw new ConfigError([`${grafanaApiUrlEnv}: expected an http(s) URL, got ${shown(override)}`]);
    return { ...config, grafana: { ...config.grafana, apiUrl: override } };
}

/**
 * Whether Pulumi holds a config key as a secret. The SDK has no public accessor for this (its own
 * Config class uses this function), and we must know it to refuse a secret set in plain text.
 */
function isConfigSecret(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    return runtimeConfig.isConfigSecret(fullKey);
}

/** Config values arrive as strings; structured ones as JSON. */
function parseConfigText(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}
