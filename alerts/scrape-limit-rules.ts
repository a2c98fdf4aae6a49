// Alerts on STELLA's scrape limits (stella.scrapeLimits, the PodMonitors' sampleLimit and label
// limits): one deploy that puts a user id or a prompt into a label must not take Prometheus down, so
// Prometheus rejects a scrape over a limit whole, and these alerts say so before and when it happens.
//
// What Prometheus 3.5 and 3.14 tell per target: `scrape_samples_post_metric_relabeling`, the samples
// the sample limit counts, reported in full even for a scrape the limit rejected; `up` 0 with
// `scrape_samples_scraped` above 0 for a scrape that was read and then refused (a sample or label
// limit, or an exposition that does not parse). The limit itself (`scrape_sample_limit`) needs
// extra-scrape-metrics, a feature flag the stack does not enable: the rules take it from config.
// Label limits cannot be neared visibly: no per-target metric counts labels or their lengths.

import { infrastructurePanels, number, sampleLimitWarningShare, stellaJobs } from "../catalogue";
import { alertRule, selector, type RuleGroup, type RulesContext } from "./rule-builders";

/** STELLA's scrape targets, with the key of their limits under stella.scrapeLimits. */
const targets = [
    { job: stellaJobs.backend, key: "backend" },
    { job: stellaJobs.agents, key: "agents" },
] as const;

export function scrapeLimitRuleGroup(context: RulesContext): RuleGroup {
    const { namespace, scrapeLimits } = context.stella;
    const stellaTargets = selector({ job: `~${targets.map((target) => target.job).join("|")}`, namespace });
    /** Go template text that says `text` of the alert's own job. */
    const ofJob = (text: (target: (typeof targets)[number]) => string): string =>
        targets
            .map(
                (target, index) =>
                    `{{ ${index === 0 ? "if" : "else if"} eq $labels.job ${JSON.stringify(target.job)} }}${text(target)}`,
            )
            .join("") + "{{ end }}";
    const limitsOf = (target: (typeof targets)[number]) => {
        const limits = scrapeLimits[target.key];
        return (
            `${limits.samples} samples, ${limits.labels} labels per series, label names of ${limits.labelNameLength} ` +
            `and values of ${limits.labelValueLength} characters (stella.scrapeLimits.${target.key})`
        );
    };
    // Each target's samples as a share of its own job's limit.
    const shares = targets
        .map(
            (target) =>
                `scrape_samples_post_metric_relabeling${selector({ job: target.job, namespace })} / ${scrapeLimits[target.key].samples}`,
        )
        .join(" or ");
    // Each pod's samples against its own job's limit, as the alerts compare them.
    const panel = {
        dashboard: "infrastructure",
        panelId: infrastructurePanels.scrapeSampleShare,
        variables: { namespace },
    } as const;
    return {
        name: "stella-scrape-limits",
        rules: [
            alertRule(context, {
                name: "StellaScrapeSamplesNearLimit",
                // A rejected target is StellaScrapeRejected's: one alert at a time per target.
                expr: `(${shares}) >= ${number(sampleLimitWarningShare)} unless up${stellaTargets} == 0`,
                for: "10m",
                severity: "warning",
                service: "stella-scrape",
                summary:
                    "{{ $labels.job }} pod {{ $labels.namespace }}/{{ $labels.pod }} nears its scrape sample limit",
                description:
                    "{{ $labels.namespace }}/{{ $labels.pod }} (job {{ $labels.job }}) exposes {{ $value | humanizePercentage }} " +
                    `of its sample limit, ${ofJob((target) => `${scrapeLimits[target.key].samples} (stella.scrapeLimits.${target.key}.samples)`)}. ` +
                    "At 100% Prometheus rejects its scrapes and all its metrics are lost: look for a label with unbounded values (a user id, a prompt).",
                panel,
            }),
            alertRule(context, {
                name: "StellaScrapeRejected",
                // Read, then refused: a target that cannot be reached scrapes no sample at all.
                expr: `scrape_samples_scraped${stellaTargets} > 0 and up${stellaTargets} == 0`,
                // As StellaBackendDown: the target's metrics are gone either way.
                for: "1m",
                severity: "critical",
                service: "stella-scrape",
                summary:
                    "Prometheus rejects the scrapes of {{ $labels.job }} pod {{ $labels.namespace }}/{{ $labels.pod }}",
                description:
                    "Prometheus reads {{ $value }} samples from {{ $labels.namespace }}/{{ $labels.pod }} (job {{ $labels.job }}) " +
                    `and refuses the scrape: it is over a scrape limit (per scrape: ${ofJob(limitsOf)}) ` +
                    "or its metrics do not parse. None of its metrics are stored; the target's last error " +
                    "on Prometheus' Targets page says which.",
                panel,
            }),
        ],
    };
}
