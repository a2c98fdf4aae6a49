// The schema of traces: Jaeger and the store that keeps its spans.

import { z } from "zod";
import { dnsLabel, httpUrl, numeric } from "../formats";
import { secretString } from "../secrets";
import { resources } from "./common";

export const jaegerSchema = z
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
    .prefault({});
