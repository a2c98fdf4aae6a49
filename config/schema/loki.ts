// The schema of logs: Loki, where it stores them, and Alloy, which ships them from every node.

import { z } from "zod";
import { dnsName, duration, formatted, httpUrl, lokiByteSize, numeric, survivesYamlExpansion } from "../formats";
import { secretString } from "../secrets";
import { persistentVolume, resources } from "./common";

/** A Kubernetes toleration; "Exists" without a key tolerates every taint. */
// Log stream labels (cardinality guards). Every label multiplies Loki's streams, so Alloy promotes
// only an allow-list; these five are the ones the dashboards, alerts and runbooks select on.
/** The labels every log stream carries: the dashboards', alerts' and runbooks' selectors need them. */
export const mandatoryLogLabels = ["namespace", "pod", "container", "app", "level"] as const;
/** JSON fields that must stay structured metadata: one value per session or request, a stream each as labels. */
export const unboundedLogFields = ["session_id", "trace_id"] as const;
/** A Loki label name (Prometheus' rule); a leading __ is reserved for internal labels. */
const logLabelName = formatted(/^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/, "a label name such as agent_type");

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

export const lokiSchema = z
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
                // Cardinality guards: a bad deploy's labels are refused here, at the door.
                /** Active streams the tenant may hold over all ingesters; past it new streams are refused. */
                maxGlobalStreams: numeric(z.number().int().min(100)).default(5000),
                /** Labels per stream (Loki adds service_name); a stream with more is refused. */
                maxLabelNamesPerSeries: numeric(z.number().int().min(6).max(30)).default(10),
                /** The longest label value; a pod name takes up to 253 characters. */
                maxLabelValueLength: numeric(z.number().int().min(253).max(2048)).default(256),
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
    .prefault({});

export const alloySchema = z
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
        // Cardinality guard: the labels Alloy lets through, every other label dropped.
        /**
         * The stream labels: the mandatory five, plus JSON fields of bounded value (e.g. agent_type)
         * promoted to labels. Every other JSON field stays in the line; session_id and trace_id are
         * structured metadata.
         */
        labels: z.array(logLabelName).default([...mandatoryLogLabels]),
    })
    .prefault({});
