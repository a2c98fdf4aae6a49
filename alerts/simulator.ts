// The platform simulator behind the fault scenarios (*-scenarios.ts): what STELLA's platform does at a
// moment (PlatformState), and the promtool input_series a platform that changes state at a fault's onset
// produces. test/alert-rules.test.ts (promtool unit tests) and tools/bench-alerts.ts (minutes from fault
// onset to the first page) run the scenarios through it.
//
// A scenario simulates the whole platform (backend, agents, Loki, Alloy, Jaeger) as promtool
// input_series (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/):
// a healthy baseline, then from the onset one thing goes wrong. Samples and rule evaluations are 15s
// apart, as the stacks scrape and evaluate (prometheus.scrapeInterval, prometheus.evaluationInterval).
// The timings and values are Prometheus 3's (promtool 3.5; the tests refuse promtool 2): range windows
// open on the left, (t - range, t], so a 5m window holds 20 samples, not 21; `le` stored as Prometheus 3
// normalises it ("1.0"); counters that exist from their first count, as the client libraries make them.
// A metric the simulator does not model needs no state field here: a scenario can add plain promtool
// input series for it (`input` in scenario.ts).

export const stepSeconds = 15;
/** The input series' sample interval and the rules' evaluation interval. */
export const interval = "15s";
export const evaluationInterval = "15s";

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
    /** Nodes that should run Alloy, and the Alloy pods ready. */
    readonly alloyDesired: number;
    readonly alloyReady: number;
    readonly alloyDroppedPerSecond: number;
    /** Spans Jaeger's collector accepts per second. */
    readonly spansAcceptedPerSecond: number;
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
    alloyDesired: 3,
    alloyReady: 3,
    alloyDroppedPerSecond: 0,
    spansAcceptedPerSecond: 40,
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
    // A histogram as prom-client exposes it: its _count, and a cumulative _bucket per le that appears
    // with the first observation (a bucket the histogram lacks is not exposed at all).
    const histogram = (
        metric: string,
        seriesLabels: Labels,
        spec: {
            perSecond: (s: PlatformState) => number;
            buckets: readonly string[];
            cumulativeShare: (s: PlatformState, le: string) => number;
            scraped: (s: PlatformState) => boolean;
            bucketExposed?: (s: PlatformState, le: string) => boolean;
        },
    ) => {
        const observed = counter(`${metric}_count`, seriesLabels, spec.perSecond, spec.scraped);
        for (const le of spec.buckets)
            counter(
                `${metric}_bucket`,
                { ...seriesLabels, le },
                (s) => spec.perSecond(s) * spec.cumulativeShare(s, le),
                (s) => spec.scraped(s) && (spec.bucketExposed?.(s, le) ?? true),
                (step) => (observed[step] ?? 0) >= 1,
            );
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
    histogram("stella_http_request_duration", labels.backend, {
        perSecond: (s) => s.requestsPerSecond,
        buckets: backendBuckets,
        cumulativeShare: (s, le) => backendCumulative(le, s.slowShare),
        scraped: backendUp,
        bucketExposed: (s, le) => le !== sloBucket || s.sloBucketExposed,
    });
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
    histogram("stella_agent_response_seconds", labels.agent, {
        perSecond: (s) => s.agentMessagesPerSecond,
        buckets: agentBuckets,
        cumulativeShare: (s, le) => (s.agentSlow ? agentSlowCumulative : agentCumulative)[le] ?? 1,
        scraped: agentsUp,
    });
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
    return series;
}
