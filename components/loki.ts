// Loki: the community chart (grafana-community/helm-charts, charts/loki 18.x), Monolithic, with the
// tsdb v13 schema and retention. dev keeps logs on the pod's volume; staging and prod on S3-compatible
// object storage whose credentials reach Loki from a Secret through ${VAR} expansion.
// Values keys follow that chart's values.yaml (the enterprise chart's keys do not fit it).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { containerResources, mergeValues, releaseArgs, type HelmValues, type ChartComponentArgs } from "./helm";
import { lokiReplicationFactor } from "../config/loki-sizing";
import { namedSecret, secretsVersion, secretsVersionKey } from "./secret";

export interface LokiArgs extends ChartComponentArgs {
    /** The namespace's name as plain text, for the in-cluster URLs. */
    readonly namespaceName: string;
    /** Retention, replicas, storage, caches and object storage. */
    readonly loki: StackConfig["loki"];
    /** The release of the Prometheus Operator's CRDs: the chart's ServiceMonitor needs them. */
    readonly crds?: pulumi.Resource;
    /** Protect the release, which holds data, against deletion. Default false. */
    readonly protect?: boolean;
}

/** The environment variables that carry the object store's credentials into Loki. */
export const objectStorageEnv = {
    accessKeyId: "LOKI_S3_ACCESS_KEY_ID",
    secretAccessKey: "LOKI_S3_SECRET_ACCESS_KEY",
} as const;

/** When the schema below starts; a date before any data this stack holds. Never change it once deployed. */
const schemaStart = "2024-01-01";

export interface LokiValuesArgs {
    readonly loki: StackConfig["loki"];
    /** The Secret with the object store's credentials, when Loki uses object storage. */
    readonly objectStorageSecretName?: string;
    /** Changes when that Secret changes, and then rolls the pods (they read it at start). */
    readonly secretsVersion?: pulumi.Input<string>;
}

/** The community Loki chart's values. Pure. */
export function lokiValues(args: LokiValuesArgs): HelmValues {
    const { loki } = args;
    const objectStorage = loki.objectStorage;
    const store = objectStorage === undefined ? "filesystem" : "s3";
    const storage =
        objectStorage === undefined
            ? { type: "filesystem" }
            : {
                  type: "s3",
                  bucketNames: objectStorage.bucketNames,
                  s3: {
                      ...(objectStorage.endpoint === undefined ? {} : { endpoint: objectStorage.endpoint }),
                      region: objectStorage.region,
                      // Expanded by Loki itself (-config.expand-env=true) from the Secret's env vars,
                      // so neither value is in the chart's ConfigMap.
                      accessKeyId: `\${${objectStorageEnv.accessKeyId}}`,
                      secretAccessKey: `\${${objectStorageEnv.secretAccessKey}}`,
                      s3ForcePathStyle: objectStorage.forcePathStyle,
                      insecure: objectStorage.insecure,
                  },
              };
    const caches = loki.caches;
    return {
        loki: {
            // Single-tenant: Alloy and Grafana need no X-Scope-OrgID header.
            auth_enabled: false,
            commonConfig: { replication_factor: lokiReplicationFactor(loki) },
            schemaConfig: {
                configs: [
                    {
                        from: schemaStart,
                        store: "tsdb",
                        object_store: store,
                        schema: "v13",
                        index: { prefix: "loki_index_", period: "24h" },
                    },
                ],
            },
            storage,
            limits_config: {
                retention_period: loki.retention,
                // session_id and trace_id arrive as structured metadata, not labels (tsdb v13 needed).
                allow_structured_metadata: true,
                // Past these the distributors answer 429 and Alloy drops what it cannot retry.
                ingestion_rate_mb: loki.limits.ingestionRateMb,
                ingestion_burst_size_mb: loki.limits.ingestionBurstSizeMb,
                per_stream_rate_limit: loki.limits.perStreamRateLimit,
                per_stream_rate_limit_burst: loki.limits.perStreamRateLimitBurst,
                // A long LLM prompt line is cut to max_line_size instead of being rejected whole.
                max_line_size: loki.limits.maxLineSize,
                max_line_size_truncate: true,
                // Cardinality guards: a bad deploy that puts a user id or a prompt in a label is refused
                // (429, loki_discarded_samples_total reason stream_limit, max_label_names_per_series or
                // label_value_too_long) before its streams fill the ingesters' memory and the index.
                max_global_streams_per_user: loki.limits.maxGlobalStreams,
                max_label_names_per_series: loki.limits.maxLabelNamesPerSeries,
                max_label_value_length: loki.limits.maxLabelValueLength,
            },
            compactor: { retention_enabled: true, delete_request_store: store },
        },
        ...(args.objectStorageSecretName === undefined
            ? {}
            : {
                  defaults: {
                      extraEnvFrom: [{ secretRef: { name: args.objectStorageSecretName } }],
                      ...(args.secretsVersion === undefined
                          ? {}
                          : { podAnnotations: { [secretsVersionKey]: args.secretsVersion } }),
                  },
              }),
        ...(loki.mode === "distributed" ? distributedValues(loki) : monolithicValues(loki)),
        // Members join the ring before they are ready; without this, a starting member's peers cannot
        // reach it through the headless Service (upstream's recommendation).
        memberlist: { service: { publishNotReadyAddresses: true } },
        // The canary and the chart's test go together: the chart refuses a test without the canary.
        lokiCanary: { enabled: false },
        test: { enabled: false },
        chunksCache: caches.enabled
            ? { enabled: true, allocatedMemory: caches.chunksCacheMemoryMb }
            : { enabled: false },
        // The caches' metrics exporter: small, and bounded like every other container.
        memcachedExporter: { resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } } },
        resultsCache: caches.enabled
            ? { enabled: true, allocatedMemory: caches.resultsCacheMemoryMb }
            : { enabled: false },
        // Loki's own metrics, for the LokiIngestionFailing alert.
        monitoring: { serviceMonitor: { enabled: true } },
        // Loki ruler rules come from ConfigMaps through this sidecar; STELLA keeps its rules in Prometheus.
        sidecar: { rules: { enabled: false } },
    };
}

function persistence(loki: StackConfig["loki"]) {
    return {
        enabled: loki.storage.enabled,
        size: loki.storage.size,
        ...(loki.storage.storageClass === undefined ? {} : { storageClass: loki.storage.storageClass }),
    };
}

/**
 * The ingester's and compactor's volume: their workload template makes one claim per entry of
 * `persistence.claims` and reads size and storage class there, so the chart's default claim (10Gi,
 * default class) won over `persistence.size` whatever the config said.
 */
function claimedPersistence(loki: StackConfig["loki"]) {
    const { enabled, ...claim } = persistence(loki);
    return { enabled, claims: [{ name: "data", accessModes: ["ReadWriteOnce"], ...claim }] };
}

/** Monolithic: one StatefulSet of single binaries. */
function monolithicValues(loki: StackConfig["loki"]): HelmValues {
    return {
        deploymentMode: "Monolithic",
        singleBinary: {
            replicas: loki.replicas,
            resources: containerResources(loki.resources),
            persistence: persistence(loki),
            // With three copies of each stream a write needs two live replicas: evict one at a time.
            // (The chart renders its budget only once a bound is set.)
            ...(loki.replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
        },
        // Monolithic only: the chart's defaults give the scalable targets 3 replicas each, which it
        // then refuses beside a single binary.
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        // Clients reach the `loki` Service on 3100 directly; the nginx gateway adds nothing here.
        gateway: { enabled: false },
    };
}

/**
 * Distributed: each component scaled on its own. Ingesters keep three copies of each stream without
 * zone awareness (which would need the rollout operator); the gateway routes pushes to the
 * distributors and queries to the query frontends, behind one address.
 */
function distributedValues(loki: StackConfig["loki"]): HelmValues {
    const sized = (replicas: number) => ({ replicas, resources: containerResources(loki.resources) });
    const counts = loki.distributed;
    return {
        deploymentMode: "Distributed",
        singleBinary: { replicas: 0 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        ingester: {
            ...sized(counts.ingesters),
            zoneAwareReplication: { enabled: false },
            persistence: claimedPersistence(loki),
        },
        distributor: sized(counts.distributors),
        querier: sized(counts.queriers),
        queryFrontend: sized(counts.queryFrontends),
        queryScheduler: sized(counts.querySchedulers),
        indexGateway: { ...sized(counts.indexGateways), persistence: { ...persistence(loki) } },
        compactor: { ...sized(1), persistence: claimedPersistence(loki) },
        // Rules live in Prometheus; no Loki ruler.
        ruler: { enabled: false, replicas: 0 },
        gateway: {
            enabled: true,
            replicas: counts.gateways,
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            // The access-log exporter beside nginx: bounded like every other container.
            metrics: { resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } } },
        },
    };
}

/** The Helm release: with "loki" in it, the chart names its Services after it. */
export const lokiRelease = "loki";

/**
 * Loki's ports, the chart's defaults: every component serves HTTP on loki.server.http_listen_port,
 * the distributed mode's nginx gateway listens on 8080 behind its Service's port 80.
 */
export const lokiPorts = { http: 3100, gateway: 8080 } as const;

/** Where clients reach Loki: the single binaries' Service, or the gateway in front of the components. */
export function lokiEndpoint(loki: StackConfig["loki"], releaseName: string, namespace: string): string {
    const host = (service: string) => `${service}.${namespace}.svc.cluster.local`;
    return loki.mode === "distributed"
        ? `http://${host(`${releaseName}-gateway`)}`
        : `http://${host(releaseName)}:${lokiPorts.http}`;
}

/** Loki, single-tenant, Monolithic, on a filesystem volume or S3-compatible object storage. */
export class Loki extends pulumi.ComponentResource {
    /** The Helm release. */
    public readonly release: k8s.helm.v3.Release;
    /** Loki's HTTP API inside the cluster (the Grafana data source URL). */
    public readonly url: string;
    /** Where log shippers push, e.g. http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push. */
    public readonly pushUrl: string;

    constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("stella:monitoring:Loki", name, {}, opts);
        const releaseName = lokiRelease;
        const objectStorage = args.loki.objectStorage;

        const dependsOn: k8s.core.v1.Secret[] = [];
        let objectStorageSecretName: string | undefined;
        if (objectStorage !== undefined) {
            objectStorageSecretName = `${releaseName}-object-storage`;
            dependsOn.push(
                namedSecret(
                    `${name}-object-storage`,
                    {
                        secretName: objectStorageSecretName,
                        namespace: args.namespace,
                        stringData: {
                            [objectStorageEnv.accessKeyId]: objectStorage.accessKeyId,
                            [objectStorageEnv.secretAccessKey]: objectStorage.secretAccessKey,
                        },
                    },
                    this,
                ),
            );
        }

        this.release = new k8s.helm.v3.Release(
            name,
            releaseArgs({
                chart: "loki",
                version: args.version,
                releaseName,
                namespace: args.namespace,
                values: mergeValues(
                    lokiValues({
                        loki: args.loki,
                        objectStorageSecretName,
                        secretsVersion: dependsOn.length === 0 ? undefined : secretsVersion(dependsOn),
                    }),
                    args.extraValues ?? {},
                ),
                timeoutSeconds: 600,
            }),
            {
                parent: this,
                dependsOn: [...dependsOn, ...(args.crds === undefined ? [] : [args.crds])],
                protect: args.protect ?? false,
            },
        );

        this.url = lokiEndpoint(args.loki, releaseName, args.namespaceName);
        this.pushUrl = `${this.url}/loki/api/v1/push`;
        this.registerOutputs({ url: this.url, pushUrl: this.pushUrl });
    }
}
