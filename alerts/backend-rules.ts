// The backend's rules: recording rules for its request rate, error ratio and latency, the seed's
// backend alerts (docs/design.md, "Contracts with STELLA's apps"), its health, and multiwindow,
// multi-burn-rate SLO alerts (Google SRE workbook, "Alerting on SLOs", recommendation 6): a fast burn
// pages, a slow burn opens a warning.

import { alertRule, recordingRule, selector, type Rule, type RuleGroup, type RulesContext } from "./rule-builders";
import { backendRecords, healthProbeJob, infrastructurePanels, number, sloPanels, systemPanels } from "../catalogue";

/** The windows the burn-rate alerts read. */
export const sloWindows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

/** Burn rates and their window pairs (SRE workbook, table 5-8, for a 30-day SLO). */
const fastBurn = [
    { long: "1h", short: "5m", factor: 14.4 }, // 2% of the budget in an hour
    { long: "6h", short: "30m", factor: 6 }, // 5% of the budget in six hours
] as const;
const slowBurn = [
    { long: "1d", short: "2h", factor: 3 }, // 10% of the budget in a day
    { long: "3d", short: "6h", factor: 1 }, // 10% of the budget in three days
] as const;

/** A matcher for the histogram bucket at `seconds`: Prometheus 3 writes le="1.0", older clients le="1". */
export function bucketMatcher(seconds: number): string {
    const text = number(seconds);
    return Number.isInteger(seconds) ? `~${text}|${text}\\.0` : text;
}

function burnRateCondition(
    record: (window: string) => string,
    pairs: readonly { long: string; short: string; factor: number }[],
    budget: number,
): string {
    return pairs
        .map(({ long, short, factor }) => {
            const threshold = number(factor * budget);
            return `(${record(long)} > ${threshold} and ${record(short)} > ${threshold})`;
        })
        .join(" or ");
}

export function backendRuleGroup(context: RulesContext): RuleGroup {
    const { metrics, backend, namespace } = context.stella;
    const thresholds = context.thresholds;
    const requests = metrics.httpRequestsTotal;
    const errors = `${requests}${selector({ [metrics.statusLabel]: "~5.." })}`;
    const bucket = `${metrics.httpRequestDuration}_bucket`;
    const fastBucket = `${bucket}${selector({ le: bucketMatcher(context.slo.latencyThresholdSeconds) })}`;
    const count = `${metrics.httpRequestDuration}_count`;
    const availabilityBudget = 1 - context.slo.availabilityTarget;
    const latencyBudget = 1 - context.slo.latencyTarget;
    const backendJob = selector({ job: "stella-backend", namespace });
    const healthJob = selector({ job: healthProbeJob, probe: "liveness" });
    const readyJob = selector({ job: healthProbeJob, probe: "readiness" });

    const records: Rule[] = [
        recordingRule(backendRecords.requestRate5m, `sum(rate(${requests}[5m]))`),
        ...sloWindows.map((window) =>
            recordingRule(
                backendRecords.errorRatio(window),
                // A client library creates the 5xx label set only when it counts the first error: until
                // then a healthy backend has no 5xx series, and without `or vector(0)` its ratio would be
                // "no data" instead of 0 (no traffic still gives 0/0, no sample).
                `(sum(rate(${errors}[${window}])) or vector(0)) / sum(rate(${requests}[${window}]))`,
            ),
        ),
        ...sloWindows.map((window) =>
            recordingRule(
                backendRecords.slowRatio(window),
                `1 - (sum(rate(${fastBucket}[${window}])) / sum(rate(${count}[${window}])))`,
            ),
        ),
        recordingRule(backendRecords.latencyP95, `histogram_quantile(0.95, sum by (le) (rate(${bucket}[5m])))`),
        recordingRule(backendRecords.sessionsActive, `sum(${metrics.sessionsActive})`),
    ];

    const percent = (ratio: number) => `${number(ratio * 100)}%`;
    const alerts: Rule[] = [
        // A total outage must reach PagerDuty within a minute (15 s scrapes and evaluations, group_wait
        // 30 s): the burn-rate alerts need about a minute of errors in their 1h window, so this one reads
        // the last scrape interval (irate) and fires without waiting (`for` 0s by default). It pages on
        // one scrape of most requests failing; the request-rate floor keeps a few failing requests on an
        // idle backend from paging.
        alertRule(context, {
            name: "StellaBackendOutage",
            expr:
                `((sum(irate(${errors}[1m])) or vector(0)) / sum(irate(${requests}[1m]))) > ${number(thresholds.outageErrorRatio)}` +
                ` and on () sum(irate(${requests}[1m])) >= ${number(thresholds.outageMinRequestsPerSecond)}`,
            for: thresholds.outageFor,
            severity: "critical",
            service: "stella-backend",
            summary: "Most backend requests are failing",
            description: `{{ $value | humanizePercentage }} of backend requests failed with a 5xx over the last scrape interval (threshold ${percent(thresholds.outageErrorRatio)}).`,
            panel: { dashboard: "system", panelId: systemPanels.errorRate },
        }),
        // The seed's four backend alerts: same names, severities, thresholds and `for`.
        alertRule(context, {
            name: "HighErrorRate",
            // No traffic gives 0/0, no sample, so nothing fires on an idle backend.
            expr: `${backendRecords.errorRatio("5m")} > ${number(thresholds.errorRate)}`,
            for: thresholds.errorRateFor,
            severity: "critical",
            service: "stella-backend",
            summary: "High error rate detected",
            description: `{{ $value | humanizePercentage }} of backend requests failed with a 5xx over 5 minutes (threshold ${percent(thresholds.errorRate)}).`,
            panel: { dashboard: "system", panelId: systemPanels.errorRate },
        }),
        alertRule(context, {
            name: "HighLatency",
            // Buckets summed by le across pods before the quantile (the seed took one per series).
            expr: `${backendRecords.latencyP95} > ${number(thresholds.latencyP95Seconds)}`,
            for: thresholds.latencyFor,
            severity: "warning",
            service: "stella-backend",
            summary: "High latency detected",
            description: `Backend p95 latency is {{ $value | humanizeDuration }} (threshold ${number(thresholds.latencyP95Seconds)}s).`,
            panel: { dashboard: "system", panelId: systemPanels.averageLatency },
        }),
        alertRule(context, {
            name: "HighSessionCount",
            expr: `${backendRecords.sessionsActive} > ${thresholds.activeSessions}`,
            for: thresholds.activeSessionsFor,
            severity: "warning",
            service: "stella-backend",
            summary: "High number of active sessions",
            description: `{{ $value }} sessions are active (threshold ${thresholds.activeSessions}).`,
            panel: { dashboard: "system", panelId: systemPanels.activeSessions },
        }),
        // Health: the backend unreachable, or failing its own health checks.
        alertRule(context, {
            name: "StellaBackendDown",
            // Every backend target fails its scrape, or there is no backend target at all. Both branches
            // keep namespace and job, so the page says what is down (absent() of a comparison keeps no label).
            expr: `max by (namespace, job) (up${backendJob}) == 0 or absent(up${backendJob})`,
            for: "1m",
            severity: "critical",
            service: "stella-backend",
            summary: "No backend pod can be scraped",
            description: `Prometheus has reached no ${backend.appLabel} pod in ${namespace} for a minute: the backend is down or gone.`,
            panel: { dashboard: "system", panelId: systemPanels.requestRate },
        }),
        alertRule(context, {
            name: "StellaBackendHealthCheckFailing",
            // Every backend pod fails its liveness endpoint: the backend answers nothing useful.
            expr: `max by (namespace) (probe_success${healthJob}) == 0`,
            for: "1m",
            severity: "critical",
            service: "stella-backend",
            summary: "Backend health check failing on every pod",
            description: `GET ${backend.healthPath} has failed on every backend pod for a minute.`,
            panel: { dashboard: "system", panelId: systemPanels.healthProbes },
        }),
        alertRule(context, {
            name: "StellaBackendNotReady",
            // No backend pod is ready: most often the database is unreachable (/health/ready checks it).
            expr: `max by (namespace) (probe_success${readyJob}) == 0`,
            for: "2m",
            severity: "critical",
            service: "stella-backend",
            summary: "No backend pod is ready",
            description: `GET ${backend.readinessPath} has failed on every backend pod for two minutes: the backend cannot serve (is the database reachable?).`,
            panel: { dashboard: "system", panelId: systemPanels.healthProbes },
        }),
        alertRule(context, {
            name: "StellaBackendNotReady",
            // Some pods are not ready; the critical twin above silences this one when none is.
            expr: `min by (namespace, pod) (probe_success${readyJob}) == 0`,
            for: "5m",
            severity: "warning",
            service: "stella-backend",
            summary: "A backend pod is not ready",
            description: `GET ${backend.readinessPath} on pod {{ $labels.pod }} has failed for five minutes.`,
            panel: { dashboard: "system", panelId: systemPanels.healthProbes },
        }),
        alertRule(context, {
            name: "StellaBackendHealthProbesMissing",
            // Without probe results every health alert above is silent; say so.
            expr: `(absent(probe_success${healthJob}) or absent(probe_success${readyJob})) and on () (count(up${backendJob} == 1) > 0)`,
            for: "15m",
            severity: "warning",
            service: "stella-backend",
            summary: "Backend health probes return nothing",
            description:
                "The backend is up but no health probe result reaches Prometheus: the Blackbox exporter or its scrape config is broken, and the health alerts are blind.",
            panel: { dashboard: "system", panelId: systemPanels.healthProbes },
        }),
        alertRule(context, {
            name: "StellaDatabasePoolExhausted",
            expr: `sum(stella_database_connections${selector({ namespace, state: "waiting" })}) > 0`,
            for: "5m",
            severity: "warning",
            service: "stella-backend",
            summary: "Backend waits for database connections",
            description:
                "{{ $value }} requests are waiting for a database connection, and some have been for five minutes: the pool is too small or connections leak.",
            panel: { dashboard: "infrastructure", panelId: infrastructurePanels.databaseConnections },
        }),
        alertRule(context, {
            name: "StellaLatencySLOBucketMissing",
            // The latency SLO reads the bucket at its threshold; a histogram without it leaves the SLO blind.
            // Only a histogram scraped now counts (`and ${count}`): when the backend goes down its buckets
            // vanish at once while the 5m rate still reads the last samples, and that is no missing bucket.
            expr: `absent(${fastBucket}) and on () (sum(rate(${count}[5m]) and ${count}) > 0)`,
            for: "30m",
            severity: "warning",
            service: "stella-backend",
            summary: "Latency SLO threshold is not a histogram bucket",
            description: `${metrics.httpRequestDuration} has no bucket le="${number(context.slo.latencyThresholdSeconds)}", so the latency SLO alerts cannot fire: add the bucket to the backend's histogram or set slo.latencyThresholdSeconds to an existing one.`,
            panel: { dashboard: "slo", panelId: sloPanels.latencyBurn },
        }),
        // SLOs: multiwindow, multi-burn-rate.
        alertRule(context, {
            name: "StellaAvailabilityFastBurn",
            expr: burnRateCondition(backendRecords.errorRatio, fastBurn, availabilityBudget),
            // The two windows already filter blips (the workbook uses no `for`); 30s absorbs one bad evaluation.
            for: "30s",
            severity: "critical",
            service: "stella-backend",
            summary: "Backend burning its availability error budget fast",
            description: `{{ $value | humanizePercentage }} of requests are failing: at this rate the ${percent(context.slo.availabilityTarget)} availability SLO's 30-day budget is gone within days.`,
            panel: { dashboard: "slo", panelId: sloPanels.availabilityBurn },
        }),
        alertRule(context, {
            name: "StellaAvailabilitySlowBurn",
            expr: burnRateCondition(backendRecords.errorRatio, slowBurn, availabilityBudget),
            for: "15m",
            severity: "warning",
            service: "stella-backend",
            summary: "Backend burning its availability error budget",
            description: `{{ $value | humanizePercentage }} of requests are failing, steadily eating the ${percent(context.slo.availabilityTarget)} availability SLO's budget.`,
            panel: { dashboard: "slo", panelId: sloPanels.availabilityBurn },
        }),
        alertRule(context, {
            name: "StellaLatencyFastBurn",
            expr: burnRateCondition(backendRecords.slowRatio, fastBurn, latencyBudget),
            // The two windows already filter blips (the workbook uses no `for`); 30s absorbs one bad evaluation.
            for: "30s",
            severity: "critical",
            service: "stella-backend",
            summary: "Backend burning its latency error budget fast",
            description: `{{ $value | humanizePercentage }} of requests take longer than ${number(context.slo.latencyThresholdSeconds)}s (SLO: ${percent(context.slo.latencyTarget)} faster).`,
            panel: { dashboard: "slo", panelId: sloPanels.latencyBurn },
        }),
        alertRule(context, {
            name: "StellaLatencySlowBurn",
            expr: burnRateCondition(backendRecords.slowRatio, slowBurn, latencyBudget),
            for: "15m",
            severity: "warning",
            service: "stella-backend",
            summary: "Backend burning its latency error budget",
            description: `{{ $value | humanizePercentage }} of requests take longer than ${number(context.slo.latencyThresholdSeconds)}s (SLO: ${percent(context.slo.latencyTarget)} faster).`,
            panel: { dashboard: "slo", panelId: sloPanels.latencyBurn },
        }),
    ];
    return { name: "stella-backend", rules: [...records, ...alerts] };
}
