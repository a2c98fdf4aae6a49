// The one way this program writes a Kubernetes Secret: a fixed name that charts are told about, the
// project's label, and values that stay Pulumi secrets (the Kubernetes provider keeps stringData secret).

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface NamedSecretArgs {
    /** The Secret's name in the cluster: charts reference it, so it is fixed, not auto-named. */
    readonly secretName: string;
    readonly namespace: pulumi.Input<string>;
    /** Key to value; secret values stay Outputs marked secret. */
    readonly stringData: Record<string, pulumi.Input<string>>;
}

/** The pod annotation (or label) whose change rolls pods when a Secret they read at start changes. */
export const secretsVersionKey = "stella-monitoring/secrets-version";

/**
 * The resource versions of the Secrets a workload reads as environment variables: Kubernetes does not
 * restart pods when such a Secret changes, so a pod annotation carrying this value does.
 */
export function secretsVersion(secrets: readonly k8s.core.v1.Secret[]): pulumi.Output<string> {
    return pulumi.all(secrets.map((secret) => secret.metadata.resourceVersion)).apply((versions) => versions.join("-"));
}

/**
 * A named Opaque Secret, a child of `parent`. Replaced by delete-then-create: a fixed name cannot be
 * created twice.
 */
export function namedSecret(logicalName: string, args: NamedSecretArgs, parent: pulumi.Resource): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        logicalName,
        {
            metadata: {
                name: args.secretName,
                namespace: args.namespace,
                labels: { "app.kubernetes.io/part-of": "stella-monitoring" },
            },
            type: "Opaque",
            stringData: args.stringData,
        },
        { parent, deleteBeforeReplace: true },
    );
}
