// Named fault scenarios for STELLA's alert rules, as data shared by test/alert-rules.test.ts (promtool
// unit tests) and tools/bench-alerts.ts (minutes from fault onset to the first page).
//
// Each scenario simulates the whole platform (backend, agents, Loki, Alloy, Jaeger) as promtool
// input_series (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/):
// a healthy baseline, then from the onset one thing goes wrong. Samples and rule evaluations are 15s
// apart, as the stacks scrape and evaluate (prometheus.scrapeInterval, prometheus.evaluationInterval).
// The timings and values are Prometheus 3's (promtool 3.5; the tests refuse promtool 2): range windows
// open on the left, (t - range, t], so a 5m window holds 20 samples, not 21; `le` stored as Prometheus 3
// normalises it ("1.0"); counters that exist from their first count, as the client libraries make them.
//
// Conventions:
// - The onset is the time of the first sample that shows the fault: the first scrape after things
//   broke. Nothing can alert earlier, so "minutes to page" counts from there.
// - The baseline is as short as the rules allow, to keep promtool fast (its cost grows with the square
//   of the simulated time: every evaluation re-reads the 1d and 3d windows): 30 minutes, twice the
//   longest window (15m) of the alerts those scenarios exercise; AgentPodFailures' increase over 1h
//   needs no more, the restart counter being flat before. Scenarios that move the backend's error or
//   slow ratio get 150 minutes: with less history the fast burn's 6h window is diluted less than a
//   real backend's, and its 6h/30m pair fires before the 1h/5m pair, earlier than in production
//   (on 60 minutes of history a total outage pages at +0.75m instead of +1.25m, 10% errors at +4.25m
//   instead of +7.5m, every request taking 3 s at +4.25m instead of +9m). On 150 minutes it no longer
//   does for these faults: `tools/bench-alerts.ts --baseline 360` gives the same numbers on six hours
//   (measured on promtool 3.5.3). The slow burns' 1d
//   and 3d windows are never filled; they are warnings on a 15m `for`, and nothing here depends on them.
// - Expected descriptions are the rendered text, $value included, as promtool computes it for these
//   series (`tools/bench-alerts.ts --verbose` prints every firing alert's annotations); the comments
//   give the arithmetic behind the timings.

export const stepSeconds = 15;
/** The input series' sample interval and the rules' evaluation interval. */
export const interval = "15s";
export const evaluationInterval = "15s";
/** Minutes of healthy traffic before the fault. */
export const baselineMinutes = 30;
/** For faults in the backend's error or slow ratio: enough that the fast burn's 6h/30m pair behaves as in production. */
export const sloBaselineMinutes = 150;

export type Labels = Readonly<Record<string, string>>;

export interface InputSeries {
    readonly series: string;
    readonly values: string;
}

/** What the platform does at a moment: every metric the rules read derives from it. */
export interface PlatformState {
    /** Backend requests per second, and the share answered with a 5xx. */
    readonly requestsPerSecond: number;
    readonly errorShare: number;
    /** Share of requests that take 3 seconds (the rest are fast, p95 0.175 s). */
    readonly slowShare: number;
    readonly sessionsActive: number;
    /** Whether Prometheus can scrape the backend: when not, `up` is 0 and its own series go stale. */
    readonly backendScrapeable: boolean;
    /** Whether any backend pod exists (not scaled to 0 or deleted): when not, even `up` and the probe results go stale. */
    readonly backendDiscovered: boolean;
    /** Whether the backend's latency histogram has the bucket at the SLO threshold (le="1.0"). */
    readonly sloBucketExposed: boolean;
    /** Whether the backend creates its 5xx label set at 0 when it starts (docs/metrics.md asks it to), not at its first error. */
    readonly errorSeriesAtStart: boolean;
    readonly livenessOk: boolean;
    readonly readinessOk: boolean;
    /** Whether the Blackbox exporter's probe results reach Prometheus. */
    readonly probesScraped: boolean;
    /** Requests waiting for a database connection. */
    readonly databaseWaiting: number;
    /** Whether any agent pod runs (and is scraped): when not, the agents' series go stale. */
    readonly agentsRunning: boolean;
    /** Agent messages per second, each direction, and open conversations. */
    readonly agentMessagesPerSecond: number;
    readonly agentConversations: number;
    /** Agents slow to answer: p95 8 s instead of 3.5 s. */
    readonly agentSlow: boolean;
    /** Minutes between restarts of the agent container, or 0 for none. */
    readonly agentRestartEveryMinutes: number;
    /** Log pushes to Loki per second, and the share answered with a 5xx. */
    readonly lokiPushesPerSecond: number;
    readonly lokiErrorShare: number;
    /** Active streams Loki's ingester holds for the tenant (loki_ingester_memory_streams). */
    readonly lokiStreamsPerIngester: number;
    /** Nodes that should run Alloy, and the Alloy pods ready. */
    readonly alloyDesired: number;
    readonly alloyReady: number;
    readonly alloyDroppedPerSecond: number;
    /** Spans Jaeger's collector accepts per second, and spans it fails to store. */
    readonly spansAcceptedPerSecond: number;
    readonly spansFailedPerSecond: number;
}

/**
 * Healthy steady traffic: ~10 req/s without a single error, p95 0.175 s, 20 sessions, agents answering.
 * With no error the backend has no 5xx series at all, as a real one has (see `platformSeries`).
 */
export const healthy: PlatformState = {
    requestsPerSecond: 10,
    errorShare: 0,
    slowShare: 0,
    sessionsActive: 20,
    backendScrapeable: true,
    backendDiscovered: true,
    sloBucketExposed: true,
    errorSeriesAtStart: false,
    livenessOk: true,
    readinessOk: true,
    probesScraped: true,
    databaseWaiting: 0,
    agentsRunning: true,
    agentMessagesPerSecond: 0.5,
    agentConversations: 12,
    agentSlow: false,
    agentRestartEveryMinutes: 0,
    lokiPushesPerSecond: 20,
    lokiErrorShare: 0,
    lokiStreamsPerIngester: 1000,
    alloyDesired: 3,
    alloyReady: 3,
    alloyDroppedPerSecond: 0,
    spansAcceptedPerSecond: 40,
    spansFailedPerSecond: 0,
};

export const labels = {
    backend: { job: "stella-backend", namespace: "ai-agents", pod: "session-management-server-6d5f8-x2x9k" },
    agentPod: {
        job: "kube-state-metrics",
        namespace: "ai-agents",
        pod: "stella-agent-5c7b9-q4m2z",
        container: "agent",
    },
    agent: {
        job: "stella-agents",
        namespace: "ai-agents",
        pod: "stella-agent-5c7b9-q4m2z",
        agent_type: "stella-agent",
    },
    probe: {
        job: "stella-backend-health",
        namespace: "ai-agents",
        pod: "session-management-server-6d5f8-x2x9k",
        service: "stella-backend",
    },
    alloy: { job: "kube-state-metrics", namespace: "monitoring", daemonset: "alloy" },
} as const;

/**
 * Backend latency: cumulative share of requests at or under each bucket boundary (prom-client's default
 * buckets). prom-client writes le="1", le="5"; Prometheus 3 normalises `le` when it scrapes and stores
 * le="1.0", le="5.0": the series here are as Prometheus 3 stores them.
 */
const backendBuckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"];
/** The bucket at the SLO threshold (slo.latencyThresholdSeconds, 1 s by default). */
const sloBucket = "1.0";
function backendCumulative(le: string, slowShare: number): number {
    // Fast requests: 60% ≤ 50 ms, 90% ≤ 100 ms, all ≤ 250 ms (p95 = 0.175 s). Slow ones take 3 s.
    const fast = ({ "0.05": 0.6, "0.1": 0.9 } as Record<string, number>)[le] ?? (Number(le) >= 0.25 ? 1 : 0);
    return fast * (1 - slowShare) + (Number(le) >= 3 ? slowShare : 0);
}

/** Agent response latency: the seed's buckets, as the Python client writes them; p95 = 3.5 s, slow 8 s. */
const agentBuckets = ["0.1", "0.5", "1.0", "2.0", "5.0", "10.0", "+Inf"];
const agentCumulative: Record<string, number> = {
    "0.1": 0,
    "0.5": 0.1,
    "1.0": 0.5,
    "2.0": 0.9,
    "5.0": 1,
    "10.0": 1,
    "+Inf": 1,
};
const agentSlowCumulative: Record<string, number> = {
    "0.1": 0,
    "0.5": 0,
    "1.0": 0.1,
    "2.0": 0.5,
    "5.0": 0.875,
    "10.0": 1,
    "+Inf": 1,
};

type Sample = number | "_" | "stale";

function seriesText(metric: string, seriesLabels: Labels): string {
    const parts = Object.entries(seriesLabels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    return `${metric}{${parts.join(", ")}}`;
}

/**
 * promtool's expanding notation for a list of samples: runs of equal steps become 'a+bxn'. promtool
 * expands 'a+bxn' by adding b to a n times, in float64 as JavaScript does, so a run is only extended
 * while that addition reproduces the sample exactly, and numbers are printed in full: a counter whose
 * next run started a hair lower than promtool's sum would read as a counter reset.
 */
export function notation(samples: readonly Sample[], increments?: readonly number[]): string {
    const parts: string[] = [];
    let index = 0;
    while (index < samples.length) {
        const first = samples[index] as Sample;
        if (first === "stale") {
            parts.push("stale");
            index += 1;
            continue;
        }
        if (first === "_") {
            let end = index;
            while (end < samples.length && samples[end] === "_") end += 1;
            parts.push(end - index === 1 ? "_" : `_x${end - index}`);
            index = end;
            continue;
        }
        const next = samples[index + 1];
        const step = typeof next === "number" ? (increments?.[index + 1] ?? next - first) : 0;
        let end = index;
        let value = first;
        while (end + 1 < samples.length && samples[end + 1] === value + step) {
            value += step;
            end += 1;
        }
        parts.push(`${String(first)}${step < 0 ? "-" : "+"}${String(Math.abs(step))}x${end - index}`);
        index = end + 1;
    }
    return parts.join(" ");
}

/**
 * The input series for a platform that is `before` until `onsetMinutes`, then `after`, for `totalMinutes`.
 *
 * Counters behave as the client libraries' (prom-client, prometheus_client, Go's client) labelled
 * counters do: a label set exists from its first count on, not before. A healthy backend has no 5xx
 * series until its first error, and the first scrape that shows one is lost to rate(), which needs two
 * samples. A histogram's buckets all appear with its first observation.
 */
export function platformSeries(
    before: PlatformState,
    after: PlatformState,
    onsetMinutes: number,
    totalMinutes: number,
): InputSeries[] {
    const steps = Math.round((totalMinutes * 60) / stepSeconds);
    const onsetStep = Math.round((onsetMinutes * 60) / stepSeconds);
    const state = (step: number) => (step >= onsetStep ? after : before);
    const series: InputSeries[] = [];

    /**
     * A counter that grows by `perSecond(state)` each second, from 0 at the start; its series exists once
     * `counted(step)` (by default: once it has counted at least one event).
     */
    const counter = (
        metric: string,
        seriesLabels: Labels,
        perSecond: (s: PlatformState) => number,
        scraped: (s: PlatformState) => boolean = () => true,
        counted?: (step: number, value: number) => boolean,
    ): number[] => {
        const samples: Sample[] = [];
        const increments: number[] = [];
        const values: number[] = [];
        let value = 0;
        let gone = false;
        for (let step = 0; step <= steps; step += 1) {
            const increment = step === 0 ? 0 : perSecond(state(step)) * stepSeconds;
            value += increment;
            increments.push(increment);
            values.push(value);
            if (!(counted?.(step, value) ?? value >= 1)) {
                samples.push("_");
                continue;
            }
            if (!scraped(state(step))) {
                samples.push(gone ? "_" : "stale");
                gone = true;
                continue;
            }
            samples.push(value);
        }
        series.push({ series: seriesText(metric, seriesLabels), values: notation(samples, increments) });
        return values;
    };
    const gauge = (
        metric: string,
        seriesLabels: Labels,
        read: (s: PlatformState, step: number) => number,
        scraped: (s: PlatformState) => boolean = () => true,
    ) => {
        const samples: Sample[] = [];
        let gone = false;
        for (let step = 0; step <= steps; step += 1) {
            if (!scraped(state(step))) {
                samples.push(gone ? "_" : "stale");
                gone = true;
                continue;
            }
            samples.push(read(state(step), step));
        }
        series.push({ series: seriesText(metric, seriesLabels), values: notation(samples) });
    };
    const backendUp = (s: PlatformState) => s.backendScrapeable && s.backendDiscovered;

    // Backend (scraped by job stella-backend): requests by status, latency histogram, sessions.
    counter(
        "stella_http_requests_total",
        { ...labels.backend, status: "200" },
        (s) => s.requestsPerSecond * (1 - s.errorShare),
        backendUp,
    );
    counter(
        "stella_http_requests_total",
        { ...labels.backend, status: "500" },
        (s) => s.requestsPerSecond * s.errorShare,
        backendUp,
        (step, value) => value >= 1 || state(step).errorSeriesAtStart,
    );
    const observed = counter(
        "stella_http_request_duration_count",
        labels.backend,
        (s) => s.requestsPerSecond,
        backendUp,
    );
    for (const le of backendBuckets)
        counter(
            "stella_http_request_duration_bucket",
            { ...labels.backend, le },
            (s) => s.requestsPerSecond * backendCumulative(le, s.slowShare),
            (s) => backendUp(s) && (le !== sloBucket || s.sloBucketExposed),
            (step) => (observed[step] ?? 0) >= 1,
        );
    gauge("stella_sessions_active", labels.backend, (s) => s.sessionsActive, backendUp);
    for (const [state, read] of [
        ["active", () => 5],
        ["idle", () => 5],
        ["waiting", (s: PlatformState) => s.databaseWaiting],
    ] as const)
        gauge("stella_database_connections", { ...labels.backend, state }, read, backendUp);
    gauge(
        "up",
        labels.backend,
        (s) => (s.backendScrapeable ? 1 : 0),
        (s) => s.backendDiscovered,
    );
    // The Blackbox exporter's probes of each backend pod's /health and /health/ready.
    for (const probe of ["liveness", "readiness"] as const)
        gauge(
            "probe_success",
            { ...labels.probe, probe },
            (s) => ((probe === "liveness" ? s.livenessOk : s.readinessOk) ? 1 : 0),
            // The probes find the backend's pods by discovery: no pod, no probe.
            (s) => s.probesScraped && s.backendDiscovered,
        );

    // Agents: messages both ways, response latency, conversations, and the container's restarts.
    const agentsUp = (s: PlatformState) => s.agentsRunning;
    gauge("up", labels.agent, () => 1, agentsUp);
    for (const direction of ["in", "out"])
        counter(
            "stella_agent_messages_total",
            { ...labels.agent, direction },
            (s) => s.agentMessagesPerSecond,
            agentsUp,
        );
    const answered = counter(
        "stella_agent_response_seconds_count",
        labels.agent,
        (s) => s.agentMessagesPerSecond,
        agentsUp,
    );
    for (const le of agentBuckets)
        counter(
            "stella_agent_response_seconds_bucket",
            { ...labels.agent, le },
            (s) => s.agentMessagesPerSecond * ((s.agentSlow ? agentSlowCumulative : agentCumulative)[le] ?? 1),
            agentsUp,
            (step) => (answered[step] ?? 0) >= 1,
        );
    gauge("stella_agent_conversations_active", labels.agent, (s) => s.agentConversations, agentsUp);
    gauge("kube_pod_container_status_restarts_total", labels.agentPod, (s, step) => {
        // One restart at the onset, then one every `agentRestartEveryMinutes`.
        if (s.agentRestartEveryMinutes === 0 || step < onsetStep) return 0;
        const every = (s.agentRestartEveryMinutes * 60) / stepSeconds;
        return Math.floor((step - onsetStep) / every) + 1;
    });

    // The monitoring stack: Loki's push endpoint, Alloy's DaemonSet and queue, Jaeger's collector.
    const push = { job: "loki", namespace: "monitoring", route: "loki_api_v1_push" };
    counter(
        "loki_request_duration_seconds_count",
        { ...push, status_code: "204" },
        (s) => s.lokiPushesPerSecond * (1 - s.lokiErrorShare),
    );
    counter(
        "loki_request_duration_seconds_count",
        { ...push, status_code: "500" },
        (s) => s.lokiPushesPerSecond * s.lokiErrorShare,
    );
    gauge(
        "loki_ingester_memory_streams",
        { job: "loki", namespace: "monitoring", pod: "loki-0", tenant: "fake" },
        (s) => s.lokiStreamsPerIngester,
    );
    gauge("kube_daemonset_status_desired_number_scheduled", labels.alloy, (s) => s.alloyDesired);
    gauge("kube_daemonset_status_number_ready", labels.alloy, (s) => s.alloyReady);
    counter(
        "loki_write_dropped_entries_total",
        { job: "alloy", namespace: "monitoring", pod: "alloy-7xk2p" },
        (s) => s.alloyDroppedPerSecond,
    );
    counter(
        "otelcol_receiver_accepted_spans_total",
        { job: "jaeger", receiver: "otlp", transport: "http" },
        (s) => s.spansAcceptedPerSecond,
    );
    counter(
        "otelcol_exporter_send_failed_spans_total",
        { job: "jaeger", exporter: "jaeger_storage" },
        (s) => s.spansFailedPerSecond,
    );
    return series;
}

export interface ExpectedAlert {
    readonly alertname: string;
    /** Minutes after the onset at which the alert must be firing: shortly after it is expected to. */
    readonly firingAt: number;
    /** Every label but alertname: severity, service and what the expression keeps. */
    readonly labels: Labels;
    readonly summary: string;
    /** The rendered description, $value included. */
    readonly description: string;
}

/** A recording rule's value at a moment: promtool compares it with a tolerance. */
export interface RecordCheck {
    readonly expr: string;
    /** Minutes after the onset. */
    readonly at: number;
    readonly labels?: Labels;
    readonly value: number;
}

/** A target from the issue: the first page (critical) or the first alert of any severity, in minutes. */
export type Target =
    | {
          readonly kind: "page" | "alert";
          /** The figure: the seed's time as the issue measured it, or an absolute bound. */
          readonly withinMinutes: number;
          /**
           * "absolute": must be within withinMinutes. "seed": must match or beat the seed's rules replayed
           * the same way (the figures came from a replay that counted onset differently).
           */
          readonly bound: "absolute" | "seed";
      }
    | { readonly kind: "nothing fires" };

export interface Scenario {
    readonly name: string;
    readonly description: string;
    /** What changes at the onset, from the healthy state. */
    readonly fault: Partial<PlatformState>;
    /** How the platform differs from `healthy` throughout, before the onset and after. */
    readonly platform?: Partial<PlatformState>;
    readonly series: readonly InputSeries[];
    /** Minutes from the first sample to the fault's first sample. */
    readonly onsetMinutes: number;
    /** Minutes simulated after the onset. */
    readonly faultMinutes: number;
    readonly interval: string;
    readonly evaluationInterval: string;
    /** What must fire, and when. */
    readonly fires: readonly ExpectedAlert[];
    /**
     * Minutes after the onset at which every alert not yet expected to fire (firingAt later) must be
     * silent. Negative values check the baseline.
     */
    readonly silentAt: readonly number[];
    readonly records?: readonly RecordCheck[];
    /**
     * Alerts that must be neither firing nor pending at these minutes after the onset: Prometheus'
     * ALERTS series holds nothing for them. For an alert whose `for` outlasts the scenario, this is how
     * it shows that the condition itself stays false.
     */
    readonly inactive?: readonly { readonly alertname: string; readonly at: readonly number[] }[];
    readonly target?: Target;
}

const backendLabels = { severity: "critical", service: "stella-backend" } as const;

function scenario(
    spec: Omit<Scenario, "series" | "onsetMinutes" | "interval" | "evaluationInterval"> & {
        readonly fault: Partial<PlatformState>;
        readonly onsetMinutes?: number;
    },
): Scenario {
    const onsetMinutes = spec.onsetMinutes ?? baselineMinutes;
    return {
        ...spec,
        onsetMinutes,
        interval,
        evaluationInterval,
        series: seriesOf(spec, onsetMinutes),
    };
}

function seriesOf(spec: Pick<Scenario, "fault" | "platform" | "faultMinutes">, onsetMinutes: number): InputSeries[] {
    const before = { ...healthy, ...spec.platform };
    return platformSeries(before, { ...before, ...spec.fault }, onsetMinutes, onsetMinutes + spec.faultMinutes);
}

/** The same scenario on another length of healthy history before the onset. */
export function withBaseline(scenario: Scenario, minutes: number): Scenario {
    if (scenario.onsetMinutes === 0) return scenario;
    return {
        ...scenario,
        onsetMinutes: minutes,
        series: seriesOf(scenario, minutes),
    };
}

export const scenarios: readonly Scenario[] = [
    scenario({
        name: "healthy steady traffic",
        description:
            "10 req/s without an error (so no 5xx series at all), p95 0.175 s, 20 sessions, agents answering, logs and spans flowing: for 2.5 hours from a cold start, nothing fires, and every error ratio reads 0, not 'no data'.",
        onsetMinutes: 0,
        faultMinutes: 150,
        fault: {},
        fires: [],
        silentAt: [0, 1, 2, 5, 10, 15, 20, 30, 45, 60, 75, 90, 105, 120, 135, 150],
        records: [
            { expr: "stella:http_requests:rate5m", at: 60, value: 10 },
            { expr: "stella:http_error_ratio:rate5m", at: 1, value: 0 },
            { expr: "stella:http_error_ratio:rate5m", at: 60, value: 0 },
            { expr: "stella:http_error_ratio:rate1h", at: 60, value: 0 },
            { expr: "stella:http_error_ratio:rate6h", at: 150, value: 0 },
            { expr: "stella:http_error_ratio:rate3d", at: 150, value: 0 },
            { expr: "stella:http_request_duration:p95_5m", at: 60, value: 0.175 },
            { expr: "stella:sessions_active:sum", at: 60, value: 20 },
            { expr: "stella:agent_messages:rate5m", at: 60, labels: { agent_type: "stella-agent" }, value: 1 },
            {
                expr: "stella:agent_response_seconds:p95_5m",
                at: 60,
                labels: { agent_type: "stella-agent" },
                value: 3.5,
            },
        ],
        target: { kind: "nothing fires" },
    }),
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
        name: "zero traffic",
        description:
            "Traffic stops (no requests, sessions, messages or spans) while the backend is up and its probes pass: no error, latency, SLO or other alert.",
        faultMinutes: 65,
        fault: {
            requestsPerSecond: 0,
            sessionsActive: 0,
            agentMessagesPerSecond: 0,
            agentConversations: 0,
            spansAcceptedPerSecond: 0,
        },
        fires: [],
        silentAt: [-1, 1, 2, 5, 10, 15, 20, 30, 45, 60, 65],
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
            {
                // irate() needs two samples of the new 5xx series: the second faulty scrape, 15 s after the
                // onset, reads 10 errors/s of 10 requests/s, past 50%; `for: 0s`.
                alertname: "StellaBackendOutage",
                firingAt: 0.25,
                labels: backendLabels,
                summary: "Most backend requests are failing",
                description:
                    "100% of backend requests failed with a 5xx over the last scrape interval (threshold 50%).",
            },
            {
                // The 5xx series appears with the first faulty scrape, which rate() cannot use yet. From
                // the second on, rate() extrapolates the new series by half an interval: the 1h ratio reads
                // 450 × 52.5/45 errors per hour in 36,000 requests, 1.46%, past 14.4 × 0.1% at +45 s
                // (the 5m ratio is far past it); `for: 30s` more.
                alertname: "StellaAvailabilityFastBurn",
                firingAt: 1.25,
                labels: backendLabels,
                summary: "Backend burning its availability error budget fast",
                description:
                    "2.297% of requests are failing: at this rate the 99.9% availability SLO's 30-day budget is gone within days.",
            },
            {
                // The 5m ratio passes 5% on the second faulty sample (225 errors in 3,000 requests,
                // 7.5%), 15 s after the onset; `for: 5m` more.
                alertname: "HighErrorRate",
                firingAt: 5.25,
                labels: backendLabels,
                summary: "High error rate detected",
                description: "100% of backend requests failed with a 5xx over 5 minutes (threshold 5%).",
            },
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
            {
                // The 5xx series appears at the onset; k steps later the 5m window holds 15k + 7.5 errors
                // (rate() extrapolates the new series by half an interval) in 3,000 requests: past 5% at
                // k = 10, +2.5 minutes; `for: 5m` more.
                alertname: "HighErrorRate",
                firingAt: 7.5,
                labels: backendLabels,
                summary: "High error rate detected",
                description: "10% of backend requests failed with a 5xx over 5 minutes (threshold 5%).",
            },
            {
                // The 1h ratio, (15k + 7.5) errors in 36,000 requests, passes 1.44% at k = 35, +8.75
                // minutes; `for: 30s` more.
                alertname: "StellaAvailabilityFastBurn",
                firingAt: 9.25,
                labels: backendLabels,
                summary: "Backend burning its availability error budget fast",
                description:
                    "1.563% of requests are failing: at this rate the 99.9% availability SLO's 30-day budget is gone within days.",
            },
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
            {
                // The 5xx series exists at 0: the first faulty scrape already gives irate() 10 errors/s of
                // 10 requests/s, so the outage fires at the onset's evaluation.
                alertname: "StellaBackendOutage",
                firingAt: 0,
                labels: backendLabels,
                summary: "Most backend requests are failing",
                description:
                    "100% of backend requests failed with a 5xx over the last scrape interval (threshold 50%).",
            },
            {
                // The 1h ratio reads the whole increase, 600 errors in 36,000 requests at +45 s (1.67%),
                // past 1.44% at the same evaluation as without the 0 series; `for: 30s` more.
                alertname: "StellaAvailabilityFastBurn",
                firingAt: 1.25,
                labels: backendLabels,
                summary: "Backend burning its availability error budget fast",
                description:
                    "2.5% of requests are failing: at this rate the 99.9% availability SLO's 30-day budget is gone within days.",
            },
            {
                // The first faulty scrape counts: 150 errors in the 5m window, extrapolated over its
                // 19 intervals to 5.3%, past 5% at the onset; `for: 5m` more.
                alertname: "HighErrorRate",
                firingAt: 5,
                labels: backendLabels,
                summary: "High error rate detected",
                description: "100% of backend requests failed with a 5xx over 5 minutes (threshold 5%).",
            },
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
            {
                // p95 jumps past 2.5 s once more than 5% of the 5m window's requests are slow, a share of
                // 6.25% over 80% of the window. Prometheus 3's window is open on the left: 20 samples, 19
                // intervals, 16 of them slow at +3.75 minutes (the onset sample already is); `for: 5m` more.
                alertname: "HighLatency",
                firingAt: 8.75,
                labels: { severity: "warning", service: "stella-backend" },
                summary: "High latency detected",
                description: "Backend p95 latency is 3s (threshold 2s).",
            },
        ],
        silentAt: [-1, 0, 5, 8.5, 8.75, 15],
        records: [
            { expr: "stella:http_request_duration:p95_5m", at: 10, value: 3 },
            { expr: "stella:http_slow_ratio:rate5m", at: 10, value: 0.0625 },
        ],
        target: { kind: "alert", withinMinutes: 8, bound: "seed" },
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
    scenario({
        name: "agent crash loop",
        description: "The agent container restarts at the onset and every 2 minutes after. Pages within 16 minutes.",
        faultMinutes: 18,
        fault: { agentRestartEveryMinutes: 2 },
        fires: [
            {
                // The 6th restart (minute 10) takes the hour's increase past 5; `for: 5m` more.
                alertname: "AgentPodFailures",
                firingAt: 15,
                labels: {
                    severity: "critical",
                    service: "stella-agent",
                    ...labels.agentPod,
                },
                summary: "Agent pods restarting frequently",
                description: "Pod stella-agent-5c7b9-q4m2z restarted 8 times in the last hour (threshold 5).",
            },
        ],
        silentAt: [-1, 0, 14.75, 15, 18],
        target: { kind: "page", withinMinutes: 16, bound: "seed" },
    }),
    scenario({
        name: "backend unscrapeable",
        description:
            "Prometheus cannot scrape the backend: up is 0 and the backend's own series go stale. The page names what is down; the latency histogram's buckets vanish with the target, which is no missing SLO bucket.",
        faultMinutes: 10,
        fault: { backendScrapeable: false },
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
    }),
    scenario({
        name: "backend pods gone",
        description:
            "The backend Deployment is scaled to 0: no backend target is left, so even `up` and the probe results go stale. The page still names what is down.",
        faultMinutes: 10,
        fault: { backendDiscovered: false },
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
    }),
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
    scenario({
        name: "agents gone",
        description: "No agent pod runs (their series go stale) while 20 sessions are open.",
        faultMinutes: 8,
        fault: { agentsRunning: false },
        fires: [
            {
                alertname: "StellaAgentsUnavailable",
                firingAt: 5,
                labels: { severity: "critical", service: "stella-agent" },
                summary: "Sessions are open but no agent is running",
                description: "20 sessions are active and Prometheus reaches no stella-agent pod: nobody answers users.",
            },
        ],
        silentAt: [-1, 0, 4.75, 5, 8],
    }),
    scenario({
        name: "agents stalled",
        description: "Conversations stay open but the agents process no message.",
        faultMinutes: 20,
        fault: { agentMessagesPerSecond: 0 },
        fires: [
            {
                // The 5m rate reaches 0 once the last message leaves the window: the onset sample is the
                // first without one, and the left-open window (t-5m, t] holds only samples from then on at
                // +4.5 minutes; `for: 10m` more.
                alertname: "AgentMessagesStalled",
                firingAt: 14.5,
                labels: { severity: "critical", service: "stella-agent", agent_type: "stella-agent" },
                summary: "Agents stopped processing messages",
                description: "stella-agent agents processed no message for 10 minutes while conversations are open.",
            },
        ],
        silentAt: [-1, 0, 10, 14.25, 14.5, 20],
    }),
    scenario({
        name: "Loki push 5xx",
        description: "Half of Alloy's log pushes to Loki fail with a 500.",
        faultMinutes: 15,
        fault: { lokiErrorShare: 0.5 },
        fires: [
            {
                // The 500 series appears at the onset; its second sample takes the 5m ratio past 5%
                // (307.5 failed pushes in 6,000) at +30 s; `for: 10m` more.
                alertname: "LokiIngestionFailing",
                firingAt: 10.5,
                labels: { severity: "warning", service: "loki" },
                summary: "Loki is refusing logs",
                description: "50% of log pushes to Loki fail (5xx, or 429 rate-limited): logs are being lost.",
            },
        ],
        silentAt: [-1, 0, 10, 10.25, 10.5, 15],
    }),
    scenario({
        name: "Loki streams near the limit",
        description:
            "A deploy puts a per-user value in a log label: Loki's active streams jump far past every stack's budget.",
        faultMinutes: 20,
        fault: { lokiStreamsPerIngester: 200000 },
        fires: [
            {
                // The gauge is above 80% of the per-ingester limit (5000, 20000, 75000) from the onset
                // sample; `for: 15m` more.
                alertname: "LokiStreamsNearLimit",
                firingAt: 15,
                labels: { severity: "warning", service: "loki", tenant: "fake" },
                summary: "Loki is near its active stream limit",
                description:
                    "A Loki ingester holds over 80% of the active streams it may (loki.limits.maxGlobalStreams) for tenant fake: at the limit it refuses new streams and their logs are lost. A label with a value per user or request is the usual cause.",
            },
        ],
        silentAt: [-1, 0, 14.75, 15, 20],
    }),
    scenario({
        name: "Alloy missing on a node",
        description: "Alloy runs on 2 of 3 nodes.",
        faultMinutes: 20,
        fault: { alloyReady: 2 },
        fires: [
            {
                alertname: "AlloyNotRunning",
                firingAt: 15,
                labels: { severity: "warning", service: "alloy", ...labels.alloy },
                summary: "Alloy is not running on every node",
                description: "1 node(s) have no ready Alloy pod: their pods' logs are not shipped.",
            },
        ],
        silentAt: [-1, 0, 14.75, 15, 20],
    }),
    scenario({
        name: "Jaeger receives no spans",
        description: "Jaeger's collector accepts no span while the backend keeps serving traffic.",
        faultMinutes: 35,
        fault: { spansAcceptedPerSecond: 0 },
        fires: [
            {
                // The 15m rate reaches 0 at +14.5 minutes (left-open window, as for the agents above);
                // `for: 15m` more.
                alertname: "JaegerNotReceivingSpans",
                firingAt: 29.5,
                labels: { severity: "warning", service: "jaeger" },
                summary: "Jaeger receives no spans",
                description:
                    "The backend serves requests but Jaeger has accepted no span for 30 minutes (a 15-minute rate at zero for 15 minutes): tracing is broken between the apps and Jaeger.",
            },
        ],
        silentAt: [-1, 0, 15, 29.25, 29.5, 35],
    }),
    scenario({
        name: "every request takes 3s",
        description:
            "The backend slows down across the board: every request takes 3 s, none fails. The latency alert, then the latency SLO's fast burn.",
        onsetMinutes: sloBaselineMinutes,
        faultMinutes: 12,
        fault: { slowShare: 1 },
        fires: [
            {
                // One slow interval in the window's 19 (5.3%) already takes p95 past 2 s, at the onset;
                // `for: 5m` more. By then every request lands in the 2.5 s .. 5 s bucket:
                // histogram_quantile reads 2.5 + 0.95 × 2.5.
                alertname: "HighLatency",
                firingAt: 5,
                labels: { severity: "warning", service: "stella-backend" },
                summary: "High latency detected",
                description: "Backend p95 latency is 4.875s (threshold 2s).",
            },
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
        name: "agents slow",
        description: "Agents answer with a p95 of 8 s (threshold 5 s).",
        faultMinutes: 15,
        fault: { agentSlow: true },
        fires: [
            {
                // p95 passes 5 s once more than 40% of the window's answers are slow: 8 of its 19
                // intervals (the onset sample's included) at +1.75 minutes; `for: 10m` more.
                alertname: "AgentHighResponseLatency",
                firingAt: 11.75,
                labels: { severity: "warning", service: "stella-agent", agent_type: "stella-agent" },
                summary: "Agents slow to respond",
                description: "p95 response time of stella-agent agents is 8s (threshold 5s).",
            },
        ],
        silentAt: [-1, 0, 11.5, 11.75, 15],
        records: [
            {
                expr: "stella:agent_response_seconds:p95_5m",
                at: 10,
                labels: { agent_type: "stella-agent" },
                value: 8,
            },
        ],
    }),
    scenario({
        name: "Alloy dropping logs",
        description: "Alloy drops 5 log lines per second that Loki did not take.",
        faultMinutes: 12,
        fault: { alloyDroppedPerSecond: 5 },
        fires: [
            {
                // The dropped-entries series appears with the first drop, at the onset; its second sample
                // gives the 10m rate, > 0 at +15 s; `for: 10m` more.
                alertname: "AlloyDroppingLogs",
                firingAt: 10.25,
                labels: { severity: "warning", service: "alloy", pod: "alloy-7xk2p" },
                summary: "Alloy is dropping logs",
                description: "Alloy pod alloy-7xk2p drops 5 log lines per second that Loki did not take.",
            },
        ],
        silentAt: [-1, 0, 10, 10.25, 12],
    }),
    scenario({
        name: "Jaeger cannot store spans",
        description: "Jaeger fails to write 10 spans per second to its storage.",
        faultMinutes: 12,
        fault: { spansFailedPerSecond: 10 },
        fires: [
            {
                // As for Alloy's drops: the failure counter exists from the first failure on.
                alertname: "JaegerStorageWriteFailing",
                firingAt: 10.25,
                labels: { severity: "warning", service: "jaeger" },
                summary: "Jaeger cannot store spans",
                description: "Jaeger fails to write 10 spans per second to its storage.",
            },
        ],
        silentAt: [-1, 0, 10, 10.25, 12],
    }),
];

export function scenarioNamed(name: string): Scenario {
    const found = scenarios.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no scenario ${name}`);
    return found;
}

/** A promtool duration for minutes (a multiple of 15 s): 5.25 → "5m15s". */
export function promDuration(minutes: number): string {
    const seconds = Math.round(minutes * 60);
    if (seconds < 0) throw new Error(`negative time ${minutes}m`);
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s === 0 ? `${m}m` : `${m}m${s}s`;
}

/** One alert_rule_test: exp_alerts [] means the alert must be silent. */
export interface AlertRuleTest {
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts: readonly {
        readonly exp_labels: Labels;
        readonly exp_annotations: Labels;
    }[];
}

export interface PromqlExprTest {
    readonly expr: string;
    readonly eval_time: string;
    readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}

/** A promtool test group for a scenario: its input series and the given checks. */
export function testGroup(
    scenario: Scenario,
    alertTests: readonly AlertRuleTest[],
    exprTests: readonly PromqlExprTest[] = [],
): Record<string, unknown> {
    return {
        name: scenario.name,
        interval: scenario.interval,
        input_series: scenario.series,
        ...(alertTests.length > 0 ? { alert_rule_test: alertTests } : {}),
        ...(exprTests.length > 0 ? { promql_expr_test: exprTests } : {}),
    };
}

/** A promtool unit-test file (as data, for YAML) over one rule file. */
export function unitTestFile(ruleFile: string, groups: readonly Record<string, unknown>[]): Record<string, unknown> {
    return { rule_files: [ruleFile], evaluation_interval: evaluationInterval, tests: groups };
}

/** The absolute time (minutes from the first sample) of a time given in minutes after a scenario's onset. */
export function absolute(scenario: Scenario, minutesAfterOnset: number): string {
    return promDuration(scenario.onsetMinutes + minutesAfterOnset);
}
