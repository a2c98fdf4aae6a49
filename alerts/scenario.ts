// A fault scenario of STELLA's alert rules, as data: what goes wrong at the onset (a change of the
// simulated platform's state, see simulator.ts, or plain promtool input series for a metric it does not
// model), what must fire and by when, what must stay silent. The scenarios themselves sit beside the
// rules they exercise (backend-scenarios.ts, agent-scenarios.ts, stack-scenarios.ts); scenarios.ts
// gathers them. Also the promtool unit-test file shapes test/alert-rules.test.ts and
// tools/bench-alerts.ts both write.
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

import {
    evaluationInterval,
    healthy,
    interval,
    platformSeries,
    stepSeconds,
    type InputSeries,
    type Labels,
    type PlatformState,
} from "./simulator";

/** Minutes of healthy traffic before the fault. */
export const baselineMinutes = 30;
/** For faults in the backend's error or slow ratio: enough that the fast burn's 6h/30m pair behaves as in production. */
export const sloBaselineMinutes = 150;

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
    /**
     * Plain promtool input series, for metrics the simulator does not model: their `values` start at the
     * onset (the sample of the fault's first scrape), and are added to the simulated platform's series.
     */
    readonly input?: readonly InputSeries[];
    /** The promtool input series: the simulated platform's, then `input` from the onset on. */
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

/** The labels of a critical backend alert that keeps no other label. */
export const backendLabels = { severity: "critical", service: "stella-backend" } as const;

/** A scenario from its fault (what changes at the onset) and its expectations. */
export function scenario(
    spec: Omit<Scenario, "series" | "onsetMinutes" | "interval" | "evaluationInterval"> & {
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

function seriesOf(
    spec: Pick<Scenario, "fault" | "platform" | "faultMinutes" | "input">,
    onsetMinutes: number,
): InputSeries[] {
    const before = { ...healthy, ...spec.platform };
    const simulated = platformSeries(
        before,
        { ...before, ...spec.fault },
        onsetMinutes,
        onsetMinutes + spec.faultMinutes,
    );
    // Nothing before the onset: `_xN` is N missing samples.
    const onsetSteps = Math.round((onsetMinutes * 60) / stepSeconds);
    const input = (spec.input ?? []).map(({ series, values }) => ({
        series,
        values: onsetSteps === 0 ? values : `_x${onsetSteps} ${values}`,
    }));
    return [...simulated, ...input];
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
