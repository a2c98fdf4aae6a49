// What the stack's configuration is named after: the project's config namespace and the environments
// a stack can follow.

/** The Pulumi project name: config keys live in this namespace (`stella-monitoring:<key>`). */
export const projectName = "stella-monitoring";

/** The environments this program knows; a stack is one of them by name or by its `environment` key. */
export const environments = ["dev", "staging", "prod"] as const;
export type Environment = (typeof environments)[number];

/**
 * The stand-in the offline render gives a `secure:` value it cannot decrypt. Format checks skip it,
 * so that a stack file holding real encrypted secrets renders offline.
 */
export const offlineSecretPlaceholder = "[secret]";
