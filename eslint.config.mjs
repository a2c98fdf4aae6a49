// Lint: typescript-eslint's type-aware recommended rules, and Pulumi's rules against Outputs in
// template literals (a classic bug: `${output}` prints "Calling [toString] on an Output…").
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default defineConfig(
    { ignores: ["node_modules/", "build/", "bin/"] },
    js.configs.recommended,
    tseslint.configs.recommendedTypeChecked,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // Components register children in their constructors; `new` for its side effect is the idiom.
            "no-new": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            // node:test's describe/it return promises that the runner itself awaits.
            "@typescript-eslint/no-floating-promises": [
                "error",
                {
                    allowForKnownSafeCalls: [
                        { from: "package", package: "node:test", name: ["describe", "it", "test", "before", "after"] },
                    ],
                },
            ],
        },
    },
    { files: ["**/*.mjs"], ...tseslint.configs.disableTypeChecked },
);
