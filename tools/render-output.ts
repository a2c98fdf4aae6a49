// Writing a render without ever deleting what render did not write. `<out>/<stack>/` gets a marker,
// .stella-render, listing the files it holds; a later render removes exactly those (and the folders
// they leave empty) before writing the new set. A folder without the marker that holds anything is
// refused, whatever it is: `--out .` names the repository's own dev/ folder, for one.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export const markerFile = ".stella-render";

interface Marker {
    readonly writtenBy: "stella-monitoring render";
    readonly files: string[];
}

function readMarker(directory: string): Marker | undefined {
    const path = join(directory, markerFile);
    if (!existsSync(path)) return undefined;
    try {
        const marker = JSON.parse(readFileSync(path, "utf8")) as Partial<Marker>;
        if (marker.writtenBy === "stella-monitoring render" && Array.isArray(marker.files))
            return { writtenBy: marker.writtenBy, files: marker.files.map(String) };
    } catch {
        // fall through: an unreadable marker proves nothing
    }
    throw new Error(`${path} is not a marker render wrote; move the folder away or choose another --out`);
}

/** Every file under the folder, relative to it. */
function filesUnder(directory: string, base = directory): string[] {
    return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
        const path = join(directory, entry.name);
        return entry.isDirectory() ? filesUnder(path, base) : [relative(base, path)];
    });
}

/** A path of the marker's list, only if it stays inside the folder (the marker is a file anyone can edit). */
function inside(directory: string, file: string): string | undefined {
    const path = resolve(directory, file);
    return path.startsWith(directory + sep) ? path : undefined;
}

/** Removes the files the previous render wrote, and the folders that leaves empty; nothing else. */
function removePrevious(directory: string, marker: Marker): void {
    const folders = new Set<string>();
    for (const file of marker.files) {
        const path = inside(directory, file);
        if (path === undefined || !existsSync(path) || !statSync(path).isFile()) continue;
        rmSync(path);
        for (let folder = dirname(path); folder !== directory && folder.startsWith(directory); folder = dirname(folder))
            folders.add(folder);
    }
    // Deepest first, so that a parent is empty by the time its turn comes.
    for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
        if (existsSync(folder) && readdirSync(folder).length === 0) rmdirSync(folder);
    }
}

/**
 * Writes `files` (relative paths) into `directory`. Throws, writing nothing, when the folder holds
 * files and no marker: render did not make it, so it is not render's to empty.
 */
export function writeRender(directory: string, files: ReadonlyMap<string, string>): void {
    const target = resolve(directory);
    if (existsSync(target)) {
        if (!statSync(target).isDirectory()) throw new Error(`${target} exists and is not a folder`);
        const marker = readMarker(target);
        if (marker === undefined) {
            const present = filesUnder(target);
            if (present.length > 0) {
                const shown = present.slice(0, 3).join(", ") + (present.length > 3 ? `, … (${present.length})` : "");
                throw new Error(
                    `${target} holds files render did not write (${shown}); render only replaces a folder it made ` +
                        `(marked by ${markerFile}): choose another --out, or empty that folder yourself`,
                );
            }
        } else {
            removePrevious(target, marker);
        }
    }
    mkdirSync(target, { recursive: true });
    for (const [file, content] of files) {
        const path = inside(target, file);
        if (path === undefined) throw new Error(`render output ${file} would leave ${target}`);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
    }
    const marker: Marker = { writtenBy: "stella-monitoring render", files: [...files.keys()].sort() };
    writeFileSync(join(target, markerFile), `${JSON.stringify(marker, null, 2)}\n`);
}
