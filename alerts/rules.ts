// STELLA's Prometheus rules, as data: the rule groups that reach Prometheus through
// kube-prometheus-stack's `additionalPrometheusRulesMap` (no ordering against the chart's CRDs needed).
// The groups live beside this file, one per subject (backend-rules.ts, agent-rules.ts,
// stack-rules.ts, scrape-limit-rules.ts), built with the helpers of rule-builders.ts; their fault scenarios sit beside them
// (*-scenarios.ts).

import { agentRuleGroup } from "./agent-rules";
import { backendRuleGroup } from "./backend-rules";
import { scrapeLimitRuleGroup } from "./scrape-limit-rules";
import { monitoringStackRuleGroup } from "./stack-rules";
import type { RuleGroup, RulesContext } from "./rule-builders";

export { rulesContext, type Rule, type RuleGroup, type RulesContext } from "./rule-builders";

/** Every rule group STELLA installs. Recording rules sit in the group of the alerts that read them:
 * Prometheus evaluates a group's rules in order, but groups independently, so an alert in another
 * group would read a recording rule up to one evaluation interval late. */
export function stellaRuleGroups(context: RulesContext): RuleGroup[] {
    return [
        backendRuleGroup(context),
        agentRuleGroup(context),
        monitoringStackRuleGroup(context),
        scrapeLimitRuleGroup(context),
    ];
}

/** Every alert name, in rule-file order. */
export function alertNames(groups: readonly RuleGroup[]): string[] {
    return groups.flatMap((group) => group.rules.flatMap((rule) => (rule.alert === undefined ? [] : [rule.alert])));
}
