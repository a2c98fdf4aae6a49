// The schema of alerting: Alertmanager's workload, the receivers, the runbooks and the thresholds.

import { z } from "zod";
import { duration, httpUrl, isHttpUrl, numeric, ratio } from "../formats";
import { secretString } from "../secrets";
import { persistentVolume, resources } from "./common";

/** The default runbook host: a placeholder that staging and prod must replace. */
export const placeholderRunbookBaseUrl = "https://git.stella.example.com/sre/stella-monitoring/blob/main/docs/runbooks";

export const alertmanagerSchema = z
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
    .prefault({});

export const alertingSchema = z
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
                    z.number().positive().lt(10, "expected less than 10: the seed's agent histogram tops out at 10s"),
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
    .prefault({});
