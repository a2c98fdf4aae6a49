// The schema of Prometheus: retention, storage, what it scrapes and where it writes samples to.

import { z } from "zod";
import { byteSize, dnsLabel, duration, formatted, httpUrl, numeric } from "../formats";
import { secretString } from "../secrets";
import { persistentVolume, resources } from "./common";

export const prometheusSchema = z
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
    .prefault({});
