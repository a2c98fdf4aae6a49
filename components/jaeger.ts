// Jaeger: the jaeger chart 4.x, which deploys Jaeger v2 (an OpenTelemetry Collector distribution) as
// one Deployment. It receives OTLP on 4317 (gRPC) and 4318 (HTTP) and serves its UI on 16686. dev keeps
// traces in memory; staging and prod write to an existing Elasticsearch or OpenSearch.
// The chart reads its config only from `userconfig` (its `config` value is not rendered).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { memoryBytes } from "../quantities";
import type { StackConfig } from "../config";
import { containerResources, mergeValues, releaseArgs, type HelmValues, type ChartComponentArgs } from "./helm";
import { podMonitor, type PodMonitorSpec } from "./prometheus-specs";
import { namedSecret, secretsVersion, secretsVersionKey } from "./secret";

export interface JaegerArgs extends ChartComponentArgs {
    /** The namespace's name as plain text, for the in-cluster URLs. */
    readonly namespaceName: string;
    /** Replicas, resources and trace storage. */
    readonly jaeger: StackConfig["jaeger"];
    /** Prometheus' in-cluster URL, for the span metrics of the Monitor tab. */
    readonly prometheusUrl: string;
}

/** The Helm release; with "jaeger" in it the chart names the Service after it. */
export const jaegerRelease = "jaeger";

/** The ports Jaeger listens on. */
export const jaegerPorts = {
    otlpGrpc: 4317,
    otlpHttp: 4318,
    ui: 16686,
    queryGrpc: 16685,
    health: 13133,
    metrics: 8888,
    spanMetrics: 8889,
} as const;

/**
 * The PodMonitor for Jaeger's own metrics: the chart ships none, and its container ports have no
 * names, so it is selected by number.
 */
export function jaegerPodMonitor(namespace: string, interval: string): PodMonitorSpec {
    const monitor = podMonitor(
        "jaeger",
        namespace,
        { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": jaegerRelease },
        jaegerPorts.metrics,
        "/metrics",
        interval,
    );
    const [own] = monitor.podMetricsEndpoints;
    // The span metrics (calls and durations per service and operation) on their own port.
    return {
        ...monitor,
        podMetricsEndpoints: [...monitor.podMetricsEndpoints, { ...own, portNumber: jaegerPorts.spanMetrics }],
    };
}

/** The environment variable that carries the storage password; the config reads it as ${env:…}. */
export const storagePasswordEnv = "JAEGER_STORAGE_PASSWORD";

const storeName = "primary";
const metricsStoreName = "prometheus";

/**
 * What one trace is assumed to take in the memory store: a few dozen spans with their attributes.
 * Only used to size the store for its memory limit when `maxTraces` is not set.
 */
export const assumedTraceBytes = 32 * 1024;

/** The share of the memory limit the memory store may fill; the rest is Jaeger itself and the batches. */
const memoryStoreShare = 0.5;

/**
 * How many traces the memory store keeps: `maxTraces` when set, else as many as fill half the memory
 * limit at `assumedTraceBytes` each. The store evicts the oldest trace past this count; bounded by
 * count alone (the old 50000) it grew past the pod's limit and Jaeger was OOM-killed.
 */
export function memoryStoreTraces(jaeger: StackConfig["jaeger"]): number {
    return (
        jaeger.storage.maxTraces ??
        Math.floor((memoryBytes(jaeger.resources.limits.memory) * memoryStoreShare) / assumedTraceBytes)
    );
}

/** Hours of spans Jaeger searches on Elasticsearch/OpenSearch: the whole retention (its default is 72h). */
export function maxSpanAge(storage: StackConfig["jaeger"]["storage"]): string {
    return `${storage.retentionDays * 24}h`;
}

function storageBackend(jaeger: StackConfig["jaeger"]): Record<string, unknown> {
    const storage = jaeger.storage;
    if (storage.type === "memory") return { memory: { max_traces: memoryStoreTraces(jaeger) } };
    const basic: Record<string, unknown> = {};
    if (storage.username !== undefined) basic.username = storage.username;
    if (storage.password !== undefined) basic.password = `\${env:${storagePasswordEnv}}`;
    return {
        [storage.type]: {
            server_urls: storage.serverUrls,
            indices: { index_prefix: storage.indexPrefix },
            // Searches (and "View trace" from a log line) look back this far; the default 72h hid
            // the older days of a 7-day retention.
            max_span_age: maxSpanAge(storage),
            ...(Object.keys(basic).length > 0 ? { auth: { basic } } : {}),
            ...(storage.caSecretName === undefined ? {} : { tls: { ca_file: `${storageCaMountPath}/ca.crt` } }),
        },
    };
}

/** Where the store's CA certificate is mounted, when there is one. */
const storageCaMountPath = "/etc/jaeger/storage-ca";

/**
 * The chart's nightly index cleaner, for Elasticsearch and OpenSearch alike: it deletes the daily
 * indices older than retentionDays (Jaeger itself never deletes). Its password comes from the Secret.
 */
function indexCleanerValues(
    storage: StackConfig["jaeger"]["storage"],
    storageSecretName: string | undefined,
): HelmValues {
    if (storage.type === "memory") return {};
    return {
        // Read only by the chart's maintenance jobs (the collector's own config is `userconfig`).
        storage: {
            type: "elasticsearch",
            elasticsearch: {
                url: storage.serverUrls?.[0],
                ...(storage.username === undefined ? {} : { user: storage.username }),
            },
        },
        esIndexCleaner: {
            enabled: true,
            numberOfDays: storage.retentionDays,
            extraEnv: [
                { name: "INDEX_PREFIX", value: storage.indexPrefix },
                ...(storageSecretName === undefined
                    ? []
                    : [
                          {
                              name: "ES_PASSWORD",
                              valueFrom: { secretKeyRef: { name: storageSecretName, key: "password" } },
                          },
                      ]),
                ...(storage.caSecretName === undefined
                    ? []
                    : [
                          { name: "ES_TLS_ENABLED", value: "true" },
                          { name: "ES_TLS_CA", value: `${storageCaMountPath}/ca.crt` },
                      ]),
            ],
            ...(storage.caSecretName === undefined
                ? {}
                : {
                      extraSecretMounts: [
                          {
                              name: "storage-ca",
                              mountPath: storageCaMountPath,
                              subPath: "",
                              secretName: storage.caSecretName,
                              readOnly: true,
                          },
                      ],
                  }),
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        },
    };
}

/**
 * Jaeger v2's configuration (an OpenTelemetry Collector config). Every endpoint listens on 0.0.0.0
 * explicitly: the defaults of a custom config bind to localhost, and the chart's probes GET
 * /status on 13133 from outside the pod.
 */
export function jaegerConfig(jaeger: StackConfig["jaeger"], prometheusUrl: string): Record<string, unknown> {
    const listen = (port: number) => `0.0.0.0:${port}`;
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: {
                traces: {
                    receivers: ["otlp"],
                    // The limiter first: it refuses spans before they are batched when memory runs short.
                    processors: ["memory_limiter", "batch"],
                    exporters: ["jaeger_storage_exporter", "spanmetrics"],
                },
                // Span metrics (Jaeger's Monitor tab, Grafana's trace-to-metrics): calls and durations per
                // service and operation, computed from the spans and exposed for Prometheus to scrape.
                "metrics/spanmetrics": { receivers: ["spanmetrics"], exporters: ["prometheus"] },
            },
            telemetry: {
                resource: { "service.name": "jaeger" },
                metrics: {
                    level: "detailed",
                    readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: jaegerPorts.metrics } } } }],
                },
                logs: { level: "info" },
            },
        },
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: listen(jaegerPorts.health) } },
            jaeger_query: {
                storage: { traces: storeName, metrics: metricsStoreName },
                http: { endpoint: listen(jaegerPorts.ui) },
                grpc: { endpoint: listen(jaegerPorts.queryGrpc) },
            },
            jaeger_storage: {
                backends: { [storeName]: storageBackend(jaeger) },
                // The Monitor tab reads the span metrics back from Prometheus.
                metric_backends: {
                    [metricsStoreName]: {
                        prometheus: { endpoint: prometheusUrl, normalize_calls: true, normalize_duration: true },
                    },
                },
            },
        },
        receivers: {
            otlp: {
                protocols: {
                    grpc: { endpoint: listen(jaegerPorts.otlpGrpc) },
                    http: { endpoint: listen(jaegerPorts.otlpHttp) },
                },
            },
        },
        processors: {
            // Percentages of the container's memory limit (read from its cgroup): above 80% Jaeger
            // refuses new spans (the senders retry) instead of being OOM-killed with every trace it holds.
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            batch: {},
        },
        connectors: { spanmetrics: {} },
        exporters: {
            jaeger_storage_exporter: { trace_storage: storeName },
            prometheus: { endpoint: listen(jaegerPorts.spanMetrics) },
        },
    };
}

export interface JaegerValuesArgs {
    readonly jaeger: StackConfig["jaeger"];
    /** Prometheus' in-cluster URL, where the span metrics are read back. */
    readonly prometheusUrl: string;
    /** The Secret holding the storage password under `storagePasswordEnv`, when there is one. */
    readonly storageSecretName?: string;
    /** Changes when that Secret changes, and then rolls the pods (they read it at start). */
    readonly secretsVersion?: pulumi.Input<string>;
}

/** The jaeger chart's values. Pure. */
export function jaegerValues(args: JaegerValuesArgs): HelmValues {
    const config = jaegerConfig(args.jaeger, args.prometheusUrl);
    const ca = args.jaeger.storage.caSecretName;
    return {
        userconfig: config,
        ...indexCleanerValues(args.jaeger.storage, args.storageSecretName),
        jaeger: {
            replicas: args.jaeger.replicas,
            resources: containerResources(args.jaeger.resources),
            // The chart does not roll the pod when `userconfig` changes (it has no checksum annotation,
            // and no podAnnotations value); a label with the config's hash does.
            podLabels: {
                "stella-monitoring/config-hash": configHash(config),
                ...(args.secretsVersion === undefined ? {} : { [secretsVersionKey]: args.secretsVersion }),
            },
            // The chart's default, Recreate, stops every replica at once. With shared storage the new
            // pods can start first; in memory, two pods would each hold half the traces.
            strategy: args.jaeger.storage.type === "memory" ? { type: "Recreate" } : { type: "RollingUpdate" },
            // The chart runs as user 10001 but leaves the container unhardened; Jaeger writes nothing to disk.
            securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            ...(ca === undefined
                ? {}
                : {
                      extraVolumes: [{ name: "storage-ca", secret: { secretName: ca } }],
                      extraVolumeMounts: [{ name: "storage-ca", mountPath: storageCaMountPath, readOnly: true }],
                  }),
            ...(args.storageSecretName === undefined
                ? {}
                : {
                      extraEnv: [
                          {
                              name: storagePasswordEnv,
                              valueFrom: { secretKeyRef: { name: args.storageSecretName, key: "password" } },
                          },
                      ],
                  }),
        },
    };
}

/** A short, stable hash of a JSON value (FNV-1a over its canonical text). */
function configHash(value: unknown): string {
    let hash = 0x811c9dc5;
    for (const char of JSON.stringify(value)) {
        hash ^= char.charCodeAt(0);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash.toString(16).padStart(8, "0");
}

/** Jaeger v2 all-in-one: OTLP in, traces in memory or in Elasticsearch/OpenSearch, UI out. */
export class Jaeger extends pulumi.ComponentResource {
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;
    /** The query API and UI inside the cluster (the Grafana data source URL). */
    public readonly queryUrl: string;
    /** Where STELLA's apps send OTLP over gRPC (OTEL_EXPORTER_OTLP_ENDPOINT with the grpc protocol). */
    public readonly otlpGrpcEndpoint: string;
    /** Where STELLA's apps send OTLP over HTTP (OTEL_EXPORTER_OTLP_ENDPOINT with http/protobuf). */
    public readonly otlpHttpEndpoint: string;

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:Jaeger", name, {}, opts);
        const releaseName = jaegerRelease;
        const password = args.jaeger.storage.password;

        const dependsOn: k8s.core.v1.Secret[] = [];
        let storageSecretName: string | undefined;
        if (password !== undefined) {
            storageSecretName = `${releaseName}-storage`;
            dependsOn.push(
                namedSecret(
                    `${name}-storage`,
                    { secretName: storageSecretName, namespace: args.namespace, stringData: { password } },
                    this,
                ),
            );
        }

        this.release = new k8s.helm.v3.Release(
            name,
            releaseArgs({
                chart: "jaeger",
                version: args.version,
                releaseName,
                namespace: args.namespace,
                values: mergeValues(
                    jaegerValues({
                        jaeger: args.jaeger,
                        prometheusUrl: args.prometheusUrl,
                        storageSecretName,
                        secretsVersion: dependsOn.length === 0 ? undefined : secretsVersion(dependsOn),
                    }),
                    args.extraValues ?? {},
                ),
                timeoutSeconds: 300,
            }),
            { parent: this, dependsOn },
        );

        const host = `${releaseName}.${args.namespaceName}.svc.cluster.local`;
        this.queryUrl = `http://${host}:${jaegerPorts.ui}`;
        this.otlpGrpcEndpoint = `http://${host}:${jaegerPorts.otlpGrpc}`;
        this.otlpHttpEndpoint = `http://${host}:${jaegerPorts.otlpHttp}`;
        this.registerOutputs({
            queryUrl: this.queryUrl,
            otlpGrpcEndpoint: this.otlpGrpcEndpoint,
            otlpHttpEndpoint: this.otlpHttpEndpoint,
        });
    }
}
