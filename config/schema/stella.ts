// The schema of STELLA itself, as the stack watches it: its workloads, their metrics, its SLOs.

import { z } from "zod";
import { dnsLabel, labelValue, metricName, numeric, port, ratio } from "../formats";

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

/** The protocols Prometheus falls back to when a target sends no or an unknown Content-Type. */
export const scrapeProtocols = [
    "PrometheusText0.0.4",
    "PrometheusText1.0.0",
    "OpenMetricsText0.0.1",
    "OpenMetricsText1.0.0",
    "PrometheusProto",
] as const;

export const stellaSchema = z
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
    .prefault({});

/** Service level objectives for the backend, paged on by multiwindow, multi-burn-rate alerts. */
export const sloSchema = z
    .strictObject({
        /** The share of requests that must not fail with a 5xx, over 30 days. */
        availabilityTarget: ratio.default(0.999),
        /** The share of requests that must be faster than latencyThresholdSeconds. */
        latencyTarget: ratio.default(0.99),
        /** The latency threshold, in seconds; it must be a bucket boundary (le) of the histogram. */
        latencyThresholdSeconds: numeric(z.number().positive()).default(1),
    })
    .prefault({});
