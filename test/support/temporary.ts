// Temporary folders that tests make, removed when the test file's process exits (node:test runs each
// file in its own process), whether its tests passed or failed: one `npm test` leaves nothing in /tmp.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];
let registered = false;

export function temporaryDirectory(prefix: string): string {
    const directory = mkdtempSync(join(tmpdir(), prefix));
    made.push(directory);
    if (!registered) {
        registered = true;
        process.on("exit", () => {
            for (const path of made) rmSync(path, { recursive: true, force: true });
        });
    }
    return directory;
}
