// The stack's configuration, one idea per file: formats.ts (value formats), schema/ (the schema, one
// area per file), secrets.ts (the schema's secrets), rules.ts (the rules between keys and per
// environment), messages.ts (zod's issues in the project's words), parse.ts (StackConfig), load.ts
// (reading the Pulumi runtime), paths.ts (config paths). This file re-exports what the program's
// importers of "./config" use; new code imports the file that owns the idea.

export { ConfigError } from "./errors";
export { byteSizeBytes, quantityBytes, survivesYamlExpansion } from "./formats";
export { grafanaApiUrlEnv, ignoredProviderKeys, loadConfig, withGrafanaApiUrlOverride } from "./load";
export {
    defaultConfigValues,
    parseStackConfig,
    type RawEntry,
    type RemoteWriteTarget,
    type SsoConfig,
    type StackConfig,
} from "./parse";
export { configPath, valueAt } from "./paths";
export { environments, offlineSecretPlaceholder, projectName, type Environment } from "./project";
export { configWarnings } from "./rules";
export { configSchema, secretPaths } from "./schema";
export type { PersistentVolume, Resources } from "./schema/common";
