// The fault scenarios of the backend's rules (backend-rules.ts): errors, latency and the SLO burn
// rates, sessions, the backend unreachable or gone, its health probes and its database pool.

import { backendLabels, scenario, sloBaselineMinutes, type ExpectedAlert, type Scenario } from "./scenario";

/** The backend's expected error and latency alerts, as the rules word them for the scenario's values. */
const backendOutage = (firingAt: number): ExpectedAlert => ({
    alertname: "StellaBackendOutage",
    firingAt,
    labels: backendLabels,
    summary: "Most backend requests are failing",
    description: "100% of backend requests failed with a 5xx over the last scrape interval (threshold 50%).",
});
const availabilityFastBurn = (firingAt: number, failing: string): ExpectedAlert => ({
    alertname: "StellaAvailabilityFastBurn",
    firingAt,
    labels: backendLabels,
    summary: "Backend burning its availability error budget fast",
    description: `${failing} of requests are failing: at this rate the 99.9% availability SLO's 30-day budget is gone within days.`,
});
const highErrorRate = (firingAt: number, failed: string): ExpectedAlert => ({
    alertname: "HighErrorRate",
    firingAt,
    labels: backendLabels,
    summary: "High error rate detected",
    description: `${failed} of backend requests failed with a 5xx over 5 minutes (threshold 5%).`,
});
const highLatency = (firingAt: number, p95: string): ExpectedAlert => ({
    alertname: "HighLatency",
    firingAt,
    labels: { severity: "warning", service: "stella-backend" },
    summary: "High latency detected",
    description: `Backend p95 latency is ${p95} (threshold 2s).`,
});

/**
 * The backend unreachable, whichever way: the same page after a minute, and no missing-SLO-bucket warning
 * for the buckets that vanish with the target.
 */
function backendDownScenario(name: string, description: string, fault: Scenario["fault"]): Scenario {
    return scenario({
        name,
        description,
        faultMinutes: 10,
        fault,
        fires: [
            {
                alertname: "StellaBackendDown",
                firingAt: 1,
                labels: { ...backendLabels, job: "stella-backend", namespace: "ai-agents" },
                summary: "No backend pod can be scraped",
                description:
                    "Prometheus has reached no session-management-server pod in ai-agents for a minute: the backend is down or gone.",
            },
        ],
        silentAt: [-1, 0, 0.75, 1, 10],
        inactive: [{ alertname: "StellaLatencySLOBucketMissing", at: [0, 0.25, 1, 2, 3, 4, 4.75, 5, 6, 10] }],
    });
}

export const backendScenarios: readonly Scenario[] = [
    scenario({
        name: "errors at half the budget",
        description:
            "0.05% of requests fail with a 5xx, half the 99.9% SLO's budget: the 5xx series appears with the first error, 3.5 minutes in; for 2.5 hours, nothing fires.",
        onsetMinutes: 0,
        faultMinutes: 150,
        // At exactly 0.1% the backend would burn its budget at exactly 1×, the slow burn's 3d/6h
        // threshold (> 0.001), and floating-point noise would decide whether it fires.
        fault: { errorShare: 0.0005 },
        fires: [],
        silentAt: [0, 1, 2, 5, 10, 15, 20, 30, 45, 60, 75, 90, 105, 120, 135, 150],
        records: [
            { expr: "stella:http_error_ratio:rate5m", at: 60, value: 0.0005 },
            { expr: "stella:http_error_ratio:rate1h", at: 120, value: 0.0005 },
        ],
        target: { kind: "nothing fires" },
    }),
    scenario({
        name: "total backend outage",
        onsetMinutes: sloBaselineMinutes,
        description:
            "Every request fails with a 5xx (up and probes fine: the health endpoints do not touch what broke). Pages within a minute.",
        faultMinutes: 10,
        fault: { errorShare: 1 },
        fires: [
            // irate() needs two samples of the new 5xx series: the second faulty scrape, 15 s after the
            // onset, reads 10 errors/s of 10 requests/s, past 50%; `for: 0s`.
            backendOutage(0.25),
            // The 5xx series appears with the first faulty scrape, which rate() cannot use yet. From
            // the second on, rate() extrapolates the new series by half an interval: the 1h ratio reads
            // 450 × 52.5/45 errors per hour in 36,000 requests, 1.46%, past 14.4 × 0.1% at +45 s
            // (the 5m ratio is far past it); `for: 30s` more.
            availabilityFastBurn(1.25, "2.297%"),
            // The 5m ratio passes 5% on the second faulty sample (225 errors in 3,000 requests,
            // 7.5%), 15 s after the onset; `for: 5m` more.
            highErrorRate(5.25, "100%"),
        ],
        silentAt: [-1, 0, 0.25, 1, 1.25, 5, 5.25, 6],
        records: [
            // The first faulty scrape: the new 5xx series has one sample, the ratio reads 0 (not "no data").
            { expr: "stella:http_error_ratio:rate5m", at: 0, value: 0 },
            { expr: "stella:http_error_ratio:rate5m", at: 6, value: 1 },
        ],
        target: { kind: "page", withinMinutes: 1, bound: "absolute" },
    }),
    scenario({
        name: "10% errors",
        onsetMinutes: sloBaselineMinutes,
        description: "One request in ten fails with a 5xx. Pages within 8 minutes.",
        faultMinutes: 15,
        fault: { errorShare: 0.1 },
        fires: [
            // The 5xx series appears at the onset; k steps later the 5m window holds 15k + 7.5 errors
            // (rate() extrapolates the new series by half an interval) in 3,000 requests: past 5% at
            // k = 10, +2.5 minutes; `for: 5m` more.
            highErrorRate(7.5, "10%"),
            // The 1h ratio, (15k + 7.5) errors in 36,000 requests, passes 1.44% at k = 35, +8.75
            // minutes; `for: 30s` more.
            availabilityFastBurn(9.25, "1.563%"),
        ],
        silentAt: [-1, 0, 5, 7.25, 7.5, 9, 9.25, 10],
        records: [
            { expr: "stella:http_error_ratio:rate5m", at: 10, value: 0.1 },
            { expr: "stella:http_requests:rate5m", at: 10, value: 10 },
        ],
        target: { kind: "page", withinMinutes: 8, bound: "seed" },
    }),
    scenario({
        name: "total backend outage, 5xx series created at start",
        onsetMinutes: sloBaselineMinutes,
        description:
            "The total outage again, on a backend that creates its 5xx label set at 0 when it starts, as docs/metrics.md asks: no faulty scrape is lost, and HighErrorRate fires one scrape sooner.",
        faultMinutes: 10,
        platform: { errorSeriesAtStart: true },
        fault: { errorShare: 1 },
        fires: [
            // The 5xx series exists at 0: the first faulty scrape already gives irate() 10 errors/s of
            // 10 requests/s, so the outage fires at the onset's evaluation.
            backendOutage(0),
            // The 1h ratio reads the whole increase, 600 errors in 36,000 requests at +45 s (1.67%),
            // past 1.44% at the same evaluation as without the 0 series; `for: 30s` more.
            availabilityFastBurn(1.25, "2.5%"),
            // The first faulty scrape counts: 150 errors in the 5m window, extrapolated over its
            // 19 intervals to 5.3%, past 5% at the onset; `for: 5m` more.
            highErrorRate(5, "100%"),
        ],
        silentAt: [-1, -0.25, 0, 1, 1.25, 4.75, 5, 6],
        records: [{ expr: "stella:http_error_ratio:rate5m", at: -1, value: 0 }],
    }),
    scenario({
        name: "p95 latency 3s",
        onsetMinutes: sloBaselineMinutes,
        description:
            "One request in sixteen takes 3 s, the rest stay fast: p95 = 3 s by histogram_quantile over prom-client's buckets (2.5 s .. 5 s). An alert within 8 minutes.",
        faultMinutes: 15,
        fault: { slowShare: 1 / 16 },
        fires: [
            // p95 jumps past 2.5 s once more than 5% of the 5m window's requests are slow, a share of
            // 6.25% over 80% of the window. Prometheus 3's window is open on the left: 20 samples, 19
            // intervals, 16 of them slow at +3.75 minutes (the onset sample already is); `for: 5m` more.
            highLatency(8.75, "3s"),
        ],
        silentAt: [-1, 0, 5, 8.5, 8.75, 15],
        records: [
            { expr: "stella:http_request_duration:p95_5m", at: 10, value: 3 },
            { expr: "stella:http_slow_ratio:rate5m", at: 10, value: 0.0625 },
        ],
        target: { kind: "alert", withinMinutes: 8, bound: "seed" },
    }),
    scenario({
        name: "every request takes 3s",
        description:
            "The backend slows down across the board: every request takes 3 s, none fails. The latency alert, then the latency SLO's fast burn.",
        onsetMinutes: sloBaselineMinutes,
        faultMinutes: 12,
        fault: { slowShare: 1 },
        fires: [
            // One slow interval in the window's 19 (5.3%) already takes p95 past 2 s, at the onset;
            // `for: 5m` more. By then every request lands in the 2.5 s .. 5 s bucket:
            // histogram_quantile reads 2.5 + 0.95 × 2.5.
            highLatency(5, "4.875s"),
            {
                // The 1h slow ratio passes 14.4% at +8.5 minutes, 35 slow intervals of the window's 239;
                // `for: 30s` more.
                alertname: "StellaLatencyFastBurn",
                firingAt: 9,
                labels: backendLabels,
                summary: "Backend burning its latency error budget fast",
                description: "15.48% of requests take longer than 1s (SLO: 99% faster).",
            },
        ],
        silentAt: [-1, 0, 4.75, 5, 8.75, 9, 12],
        records: [{ expr: "stella:http_slow_ratio:rate5m", at: 10, value: 1 }],
    }),
    scenario({
        name: "150 active sessions",
        description: "Active sessions jump from 20 to 150. An alert within 10 minutes.",
        faultMinutes: 12,
        fault: { sessionsActive: 150 },
        fires: [
            {
                alertname: "HighSessionCount",
                firingAt: 10,
                labels: { severity: "warning", service: "stella-backend" },
                summary: "High number of active sessions",
                description: "150 sessions are active (threshold 100).",
            },
        ],
        silentAt: [-1, 0, 9.75, 10, 12],
        records: [{ expr: "stella:sessions_active:sum", at: 1, value: 150 }],
        target: { kind: "alert", withinMinutes: 10, bound: "seed" },
    }),
    backendDownScenario(
        "backend unscrapeable",
        "Prometheus cannot scrape the backend: up is 0 and the backend's own series go stale. The page names what is down; the latency histogram's buckets vanish with the target, which is no missing SLO bucket.",
        { backendScrapeable: false },
    ),
    backendDownScenario(
        "backend pods gone",
        "The backend Deployment is scaled to 0: no backend target is left, so even `up` and the probe results go stale. The page still names what is down.",
        { backendDiscovered: false },
    ),
    scenario({
        name: "latency SLO bucket missing",
        description:
            'The backend\'s histogram has no bucket at the SLO threshold (le="1.0") while it serves: the latency SLO is blind, and a warning says so.',
        // From the start, as a histogram built without the bucket is. (A release that drops it from a
        // running backend also reads as slow requests to the burn-rate windows until they forget the
        // old pods' bucket: that transition is not modelled here.)
        onsetMinutes: 0,
        faultMinutes: 32,
        fault: { sloBucketExposed: false },
        fires: [
            {
                // The histogram appears with the first scrape after the first request (+15 s), its rate
                // with the second (+30 s); `for: 30m` more.
                alertname: "StellaLatencySLOBucketMissing",
                firingAt: 30.5,
                labels: { severity: "warning", service: "stella-backend" },
                summary: "Latency SLO threshold is not a histogram bucket",
                description:
                    'stella_http_request_duration has no bucket le="1", so the latency SLO alerts cannot fire: add the bucket to the backend\'s histogram or set slo.latencyThresholdSeconds to an existing one.',
            },
        ],
        silentAt: [0, 0.5, 15, 30, 30.25, 30.5, 32],
    }),
    scenario({
        name: "liveness probe failing",
        description: "GET /health fails on the backend pod (the Blackbox probe's probe_success is 0).",
        faultMinutes: 5,
        fault: { livenessOk: false },
        fires: [
            {
                alertname: "StellaBackendHealthCheckFailing",
                firingAt: 1,
                labels: { ...backendLabels, namespace: "ai-agents" },
                summary: "Backend health check failing on every pod",
                description: "GET /health has failed on every backend pod for a minute.",
            },
        ],
        silentAt: [-1, 0, 0.75, 1, 5],
    }),
    scenario({
        name: "readiness probe failing",
        description:
            "GET /health/ready fails on the backend pod (the database is unreachable): no pod is ready, which pages; the per-pod warning follows (Alertmanager inhibits it).",
        faultMinutes: 6,
        fault: { readinessOk: false },
        fires: [
            {
                alertname: "StellaBackendNotReady",
                firingAt: 2,
                labels: { ...backendLabels, namespace: "ai-agents" },
                summary: "No backend pod is ready",
                description:
                    "GET /health/ready has failed on every backend pod for two minutes: the backend cannot serve (is the database reachable?).",
            },
            {
                alertname: "StellaBackendNotReady",
                firingAt: 5,
                labels: {
                    severity: "warning",
                    service: "stella-backend",
                    namespace: "ai-agents",
                    pod: "session-management-server-6d5f8-x2x9k",
                },
                summary: "A backend pod is not ready",
                description:
                    "GET /health/ready on pod session-management-server-6d5f8-x2x9k has failed for five minutes.",
            },
        ],
        silentAt: [-1, 0, 1.75, 2, 4.75, 5, 6],
    }),
    scenario({
        name: "health probes missing",
        description:
            "The Blackbox exporter is gone: no probe result reaches Prometheus while the backend is up, so the health alerts are blind.",
        faultMinutes: 20,
        fault: { probesScraped: false },
        fires: [
            ...(["liveness", "readiness"] as const).map((probe) => ({
                alertname: "StellaBackendHealthProbesMissing",
                firingAt: 15,
                // One per probe: absent() keeps the selector's equality matchers.
                labels: { severity: "warning", service: "stella-backend", job: "stella-backend-health", probe },
                summary: "Backend health probes return nothing",
                description:
                    "The backend is up but no health probe result reaches Prometheus: the Blackbox exporter or its scrape config is broken, and the health alerts are blind.",
            })),
        ],
        silentAt: [-1, 0, 14.75, 15, 20],
    }),
    scenario({
        name: "database pool exhausted",
        description: "8 requests wait for a database connection.",
        faultMinutes: 8,
        fault: { databaseWaiting: 8 },
        fires: [
            {
                alertname: "StellaDatabasePoolExhausted",
                firingAt: 5,
                labels: { severity: "warning", service: "stella-backend" },
                summary: "Backend waits for database connections",
                description:
                    "8 requests are waiting for a database connection, and some have been for five minutes: the pool is too small or connections leak.",
            },
        ],
        silentAt: [-1, 0, 4.75, 5, 8],
    }),
];
