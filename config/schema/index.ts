// The schema of the stack's configuration, one area per file. Every object is strict: an unknown key
// is an error, with a suggestion. Defaults live here; Pulumi.yaml documents them and a test keeps the
// two equal.

import { z } from "zod";
import { chartKeys, defaultVersions } from "../../versions";
import { dnsLabel, exactVersionPattern, formatted } from "../formats";
import { environments } from "../project";
import { schemaSecretPaths } from "../secrets";
import { alertingSchema, alertmanagerSchema } from "./alerting";
import { grafanaSchema } from "./grafana";
import { jaegerSchema } from "./jaeger";
import { alloySchema, lokiSchema } from "./loki";
import { prometheusSchema } from "./prometheus";
import { sloSchema, stellaSchema } from "./stella";

export const kubernetesSchema = z
    .strictObject({
        /** The namespace the whole stack installs into. */
        namespace: dnsLabel.default("monitoring"),
        /** Create the namespace (false: it exists already). */
        createNamespace: z.boolean().default(true),
        /** The kubeconfig context to deploy to; unset uses the current context. */
        context: z.string().min(1).optional(),
    })
    .prefault({});

/** NetworkPolicies for the monitoring namespace: deny by default, admit what the stack needs. */
export const networkPoliciesSchema = z
    .strictObject({
        enabled: z.boolean().default(false),
        /** The ingress controller's namespace, the only way to Grafana; unset: Grafana's port is open to all. */
        ingressControllerNamespace: dnsLabel.optional(),
        /** Namespaces besides stella.namespace whose apps send OTLP to Jaeger. */
        otlpNamespaces: z.array(dnsLabel).default([]),
    })
    .prefault({});

/** Chart values deep-merged last over what this program builds: an escape hatch that always wins. */
const extraValues = z.record(z.string(), z.unknown()).default({});

/** The schema of the stack's configuration: one key per top-level config key. */
export const configSchema = z.strictObject({
    /** Which environment profile the stack follows; defaults to the stack name. */
    environment: z.enum(environments).optional(),
    kubernetes: kubernetesSchema,

    versions: z
        .strictObject(
            Object.fromEntries(
                chartKeys.map((key) => [
                    key,
                    formatted(
                        exactVersionPattern,
                        "an exact chart version such as 1.2.3 (no ranges, no 'latest')",
                    ).default(defaultVersions[key]),
                ]),
            ) as Record<(typeof chartKeys)[number], z.ZodDefault<ReturnType<typeof formatted>>>,
        )
        .prefault({}),

    stella: stellaSchema,
    slo: sloSchema,
    prometheus: prometheusSchema,
    alertmanager: alertmanagerSchema,
    alerting: alertingSchema,
    loki: lokiSchema,
    alloy: alloySchema,
    jaeger: jaegerSchema,
    grafana: grafanaSchema,
    networkPolicies: networkPoliciesSchema,

    /** Chart values per chart, deep-merged last: they win over everything this program sets. */
    extraValues: z.strictObject(Object.fromEntries(chartKeys.map((key) => [key, extraValues]))).prefault({}),
});

/** The config as the schema parses it, before the stack resolves what depends on its name. */
export type ParsedConfig = z.output<typeof configSchema>;

/** The config paths that hold secrets, found in the schema; each must be set with `pulumi config set --secret --path`. */
export const secretPaths = schemaSecretPaths(configSchema);
